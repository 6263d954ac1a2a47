"""The users app's routes: declared once, derived into URLconfs, the gateway table and the API root."""
from shop.platform.config.routes import Route

ROUTES = (
    Route("register", "api.RegisterApi", "register", link="register"),
    Route("login", "api.LoginApi", "login", link="login"),
    Route("login/refresh", "api.RefreshApi", "login-refresh", link="login-refresh"),
    Route("logout", "api.LogoutApi", "logout", link="logout"),
    Route(".well-known/jwks.json", "jwks.JwksApi", "jwks", link="jwks"),
    Route("users", "api.UserListApi", "user-list", link="users"),
    Route("users/me", "api.UserDetailApi", "user-me", link="me"),
    Route("users/<id:user_id>", "api.UserDetailApi", "user-detail"),
)
