from shop.platform.routes import routes
from shop.users import api, internal, jwks

urlpatterns = routes(
    ("register", api.RegisterApi.as_view(), "register"),
    ("login", api.LoginApi.as_view(), "login"),
    ("login/refresh", api.RefreshApi.as_view(), "login-refresh"),
    ("logout", api.LogoutApi.as_view(), "logout"),
    (".well-known/jwks.json", jwks.JwksApi.as_view(), "jwks"),
    ("users", api.UserListApi.as_view(), "user-list"),
    ("users/me", api.UserDetailApi.as_view(), "user-me"),
    ("users/<id:pk>", api.UserDetailApi.as_view(), "user-detail"),
    ("internal/users/<id:pk>", internal.UserInternalApi.as_view(), "internal-user"),
)
