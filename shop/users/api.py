"""Public users API: register, log in (JWT), list and read accounts."""
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from shop.platform.pagination import paginated_response
from shop.platform.permissions import IsStaff
from shop.users import selectors, services
from shop.users.client import UserNotFound


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    email = serializers.EmailField(max_length=254)


class RegisterSerializer(UserSerializer):
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs["email"])
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except Exception as exc:  # django ValidationError -> field error
            raise serializers.ValidationError({"password": list(getattr(exc, "messages", [str(exc)]))})
        return attrs


class RegisterApi(APIView):
    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class ShopTokenSerializer(TokenObtainPairSerializer):
    """Tokens carry is_staff and username, so services authorize without asking the users app."""

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token["username"] = user.username
        token["is_staff"] = user.is_staff
        return token


class LoginApi(TokenObtainPairView):
    serializer_class = ShopTokenSerializer


RefreshApi = TokenRefreshView


class UserListApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=UserSerializer(many=True))
    def get(self, request):
        return paginated_response(request, selectors.user_list(), UserSerializer)


class UserDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request, user_id: int | None = None):
        user_id = request.user.id if user_id is None else user_id
        user = selectors.user_get(user_id=user_id) if request.user.is_staff or user_id == request.user.id else None
        if user is None:
            raise UserNotFound(f"User {user_id} does not exist.")
        return Response(UserSerializer(user).data)
