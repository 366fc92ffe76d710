from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dreams.views import accounts, browse, offline, zones

account_pages = [
    path("", accounts.account, name="account"),
    path("signup/", accounts.signup, name="signup"),
    path("login/", accounts.ThrottledLoginView.as_view(), name="login"),
    path("logout/", accounts.SayingLogoutView.as_view(), name="logout"),
    path("password/", accounts.ThrottledPasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("delete/", accounts.delete_account, name="delete_account"),
    path("time-zone/", zones.set_time_zone, name="time_zone"),
]

urlpatterns = [
    path("healthz", browse.healthz, name="healthz"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/", offline.offline, name="offline"),
    path("admin/", admin.site.urls),
    path("accounts/", include(account_pages)),
    path("", include("dreams.urls")),
]
