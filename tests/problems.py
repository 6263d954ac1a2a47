"""The one check that a response is an RFC 9457 problem document, for Django test and `requests` responses."""
PROBLEM_CONTENT_TYPE = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    """The response is a problem document with this status and a title; returns its body."""
    text = getattr(response, "text", None) or response.content[:500]
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {text}"
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith(PROBLEM_CONTENT_TYPE), f"Content-Type {content_type!r}"
    body = response.json()
    assert body.get("status") == status, body
    assert isinstance(body.get("title"), str) and body["title"], body
    return body
