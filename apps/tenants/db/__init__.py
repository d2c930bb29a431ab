"""The database backend (settings.DATABASES ENGINE): django-tenants' plus row-level security."""
