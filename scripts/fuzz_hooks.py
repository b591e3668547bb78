"""schemathesis hooks for scripts/fuzz_api.sh.

Leaves out the generated requests that the local harness cannot deliver to a function:
`cargo lambda watch` turns each HTTP request into an API Gateway event and answers 500
itself, before any of our code runs, when a header value or a JSON body is not valid
UTF-8. (API Gateway hands such bodies over base64-encoded; how the handlers refuse invalid
UTF-8, control characters and every Authorization variant is tested in tests/tests/system/hostile.rs.)
"""

import schemathesis


def _utf8(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("latin-1").decode("utf-8")  # how requests puts a str header on the wire
        except UnicodeEncodeError:
            return True  # requests refuses it before sending; nothing to filter
        except UnicodeDecodeError:
            return False
        return True
    if isinstance(value, (bytes, bytearray)):
        try:
            bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


@schemathesis.hook
def filter_headers(ctx, headers):
    return headers is None or all(_utf8(v) for v in headers.values())


@schemathesis.hook
def filter_body(ctx, body):
    return _utf8(body)
