"""A password hasher that counts the hashes it computes, for tests that must show two paths
do the same slow work (the test settings' MD5, so existing hashes still verify)."""

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    computed = 0  # hashes computed since the test reset it: new passwords and checks alike

    def encode(self, password: str, salt: str) -> str:
        type(self).computed += 1
        return super().encode(password, salt)
