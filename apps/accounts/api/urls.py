"""Routes of the accounts API, mounted under /api/v4/."""

from django.urls import path

from apps.accounts.api import views

app_name = "accounts"

urlpatterns = [
    path("users/login", views.LoginApi.as_view(), name="user-login"),
    path("users/logout", views.LogoutApi.as_view(), name="user-logout"),
    path("users", views.UserCreateApi.as_view(), name="user-create"),
    path("users/<str:user_id>", views.UserDetailApi.as_view(), name="user-detail"),
]
