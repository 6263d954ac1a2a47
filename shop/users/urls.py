from rest_framework_simplejwt.views import TokenRefreshView

from shop.platform.routes import route
from shop.users import api, internal

urlpatterns = [
    route("register", api.RegisterApi.as_view(), "register"),
    route("login", api.LoginApi.as_view(), "login"),
    route("login/refresh", TokenRefreshView.as_view(), "login-refresh"),
    route("users", api.UserListApi.as_view(), "user-list"),
    route("users/me", api.UserDetailApi.as_view(), "user-me"),
    route(r"users/(?P<pk>[0-9]{1,18})", api.UserDetailApi.as_view(), "user-detail"),
]
urlpatterns.append(route(r"internal/users/(?P<pk>[0-9]{1,18})", internal.UserInternalApi.as_view(), "internal-user"))
