from django.urls import path

from apps.accounts import apis, oidc, views

# Tenant hosts.
auth_api_patterns = [
    path("login", apis.LoginApi.as_view(), name="auth-login"),
    path("refresh", apis.RefreshApi.as_view(), name="auth-refresh"),
    path("logout", apis.LogoutApi.as_view(), name="auth-logout"),
]
api_patterns = [
    path("profile", apis.ProfileApi.as_view(), name="profile-api"),
]
page_patterns = [
    path("login", views.login_view, name="login"),
    path("logout", views.logout_view, name="logout"),
    path("unlock", views.unlock_view, name="unlock"),
    path("profile", views.profile_view, name="profile"),
    path("members", views.members_view, name="members"),
    path("api-keys", views.api_keys_view, name="api-keys"),
    path("switch/<slug:slug>", views.switch_view, name="switch"),
    path("handoff", views.handoff_view, name="handoff"),
    path("invitations/<str:token>", views.invitation_view, name="invitation"),
    path("oidc/authenticate/", oidc.OIDCStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
]
