"""Public users API: register, log in (JWT), list and read accounts."""
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.mixins import ListModelMixin
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from shop.platform.api.permissions import IsStaff
from shop.platform.api.schema import may_answer
from shop.platform.api.views import ApiView, GenericApiView, SharedPolicies
from shop.users import selectors, services, tokens
from shop.users.throttles import LOGIN_THROTTLES, RefreshThrottle, RegisterThrottle
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


class RegisterApi(ApiView):
    throttle_classes = [RegisterThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.user_register(**data)
        # the submitted address, even when it was taken and the account does not keep it
        created = {"id": user.id, "username": user.username, "email": User.objects.normalize_email(data["email"])}
        return Response(created, status=status.HTTP_201_CREATED)


class LoginApi(SharedPolicies, TokenObtainPairView):
    serializer_class = tokens.LoginSerializer
    throttle_classes = LOGIN_THROTTLES

    @may_answer(401)  # wrong username or password
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class RefreshApi(SharedPolicies, TokenRefreshView):
    serializer_class = tokens.RefreshSerializer
    throttle_classes = [RefreshThrottle]

    @may_answer(401)  # invalid, expired or spent refresh token
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class LogoutApi(SharedPolicies, TokenBlacklistView):
    serializer_class = tokens.LogoutSerializer

    @extend_schema(responses={205: None})
    @may_answer(401)  # invalid or spent refresh token
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_205_RESET_CONTENT)


class UserListApi(ListModelMixin, GenericApiView):
    permission_classes = [IsStaff]
    serializer_class = UserSerializer

    def get_queryset(self):
        return selectors.user_list()

    def get(self, request):
        return self.list(request)


class UserDetailApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request, user_id: int | None = None):
        user_id = request.user.id if user_id is None else user_id
        user = selectors.user_get(user_id=user_id) if request.user.is_staff or user_id == request.user.id else None
        if user is None:
            raise UserNotFound(f"User {user_id} does not exist.")
        return Response(UserSerializer(user).data)
