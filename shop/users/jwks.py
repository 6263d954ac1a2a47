"""The public key of user tokens as a JSON Web Key Set (RFC 7517), for anyone verifying them."""
import json

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings
from drf_spectacular.utils import extend_schema
from jwt.algorithms import RSAAlgorithm
from rest_framework.response import Response

from shop.platform.api.views import ApiView


def jwks() -> dict:
    public_key = load_pem_public_key(settings.SIMPLE_JWT["VERIFYING_KEY"].encode())
    jwk = json.loads(RSAAlgorithm.to_jwk(public_key)) | {"use": "sig", "alg": "RS256"}
    return {"keys": [jwk]}


class JwksApi(ApiView):
    authentication_classes = ()

    @extend_schema(responses={200: dict}, summary="The public key that verifies user tokens (JWKS)")
    def get(self, request):
        return Response(jwks(), headers={"Cache-Control": "public, max-age=3600"})
