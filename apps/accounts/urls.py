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
    path("profile/sessions", apis.SessionsApi.as_view(), name="profile-sessions-api"),
    path(
        "profile/sessions/<str:session_id>",
        apis.SessionApi.as_view(),
        name="profile-session-api",
    ),
    path("profile/password", apis.PasswordChangeApi.as_view(), name="profile-password-api"),
]
# "Forgot your password?", on every company's host and the public site.
password_reset_patterns = [
    path("password/reset", views.password_reset_view, name="password-reset"),
    path(
        "password/reset/<str:uidb64>/<str:token>",
        views.password_reset_confirm_view,
        name="password-reset-confirm",
    ),
]
page_patterns = [
    path("login", views.login_view, name="login"),
    path("login/two-factor", views.login_two_factor_view, name="login-two-factor"),
    path("logout", views.logout_view, name="logout"),
    path("unlock", views.unlock_view, name="unlock"),
    path("profile", views.profile_view, name="profile"),
    path("profile/password", views.password_change_view, name="password-change"),
    *password_reset_patterns,
    path("verify-email", views.email_verify_view, name="email-verify"),
    path("verify-email/send", views.email_verify_send_view, name="email-verify-send"),
    path("reauth", views.reauth_view, name="reauth"),
    path("profile/sessions/end-all", views.sessions_end_all_view, name="sessions-end-all"),
    path("profile/sessions/<str:session_id>/end", views.session_end_view, name="session-end"),
    path("profile/two-factor", views.two_factor_view, name="two-factor"),
    path(
        "profile/two-factor/recovery-codes",
        views.two_factor_recovery_view,
        name="two-factor-recovery",
    ),
    path("profile/two-factor/disable", views.two_factor_disable_view, name="two-factor-disable"),
    path("members", views.members_view, name="members"),
    path("audit", views.audit_view, name="audit"),
    path("members/two-factor", views.members_two_factor_view, name="members-two-factor"),
    path("members/<int:member_id>/remove", views.member_remove_view, name="member-remove"),
    path("members/<int:member_id>/suspend", views.member_suspend_view, name="member-suspend"),
    path(
        "members/invitations/<int:invitation_id>/withdraw",
        views.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path("company/delete", views.company_delete_view, name="company-delete"),
    path("api-keys", views.api_keys_view, name="api-keys"),
    path("api-keys/<int:key_id>/revoke", views.api_key_revoke_view, name="api-key-revoke"),
    path("switch/<slug:slug>", views.switch_view, name="switch"),
    path("handoff", views.handoff_view, name="handoff"),
    path("invitations/<str:token>", views.invitation_view, name="invitation"),
    path("oidc/authenticate/", oidc.OIDCStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
    path("i18n/setlang/", views.language_view, name="set_language"),
]
# The bare BASE_DOMAIN.
public_patterns = [
    path("signup", views.signup_view, name="signup"),
    path("signup/address", views.signup_address_view, name="signup-address"),
    path("find", views.find_company_view, name="find-company"),
    path("account/two-factor", views.operator_two_factor_view, name="operator-two-factor"),
    path("unlock", views.unlock_view, name="unlock"),
    *password_reset_patterns,
    # The operators' sign-in (Django's admin) links to the page of this name, if there is one.
    path("password/reset", views.password_reset_view, name="admin_password_reset"),
    path("i18n/setlang/", views.language_view, name="set_language"),
]
