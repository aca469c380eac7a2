"""Verifies a Herald discovery record with PyJWT, given nothing but the key set's URL.

usage: pyjwt_verify_record.py JWKS_URL RECORD ISSUER [--tamper]

Prints the verified claims' sub, seq and the key's kid as JSON and exits 0; exits 1 with the
exception's class name if PyJWT refuses the record. --tamper changes one byte of the payload
first (re-encoded, header and signature kept), which must make the signature fail.
"""
import base64
import json
import re
import sys

try:
    import jwt
except ImportError:
    print("PyJWT is not installed: python3 -m pip install 'pyjwt[crypto]'", file=sys.stderr)
    sys.exit(3)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def tamper(record):
    header, payload, signature = record.split(".")
    claims = bytearray(b64url_decode(payload))
    at = re.search(rb'"sub"\s*:\s*"', claims).end()
    claims[at] ^= 0x01  # one byte of the service name: still valid JSON, no longer what was signed
    return ".".join([header, b64url_encode(bytes(claims)), signature])


def main():
    url, record, issuer = sys.argv[1], sys.argv[2], sys.argv[3]
    if "--tamper" in sys.argv[4:]:
        record = tamper(record)
    # The key set's URL is all PyJWT gets: it fetches the set and picks the key by the record's kid.
    client = jwt.PyJWKClient(url)
    try:
        key = client.get_signing_key_from_jwt(record)
        claims = jwt.decode(record, key, algorithms=["EdDSA", "ES256"], issuer=issuer,
                            options={"require": ["iss", "sub", "iat", "exp"]})
    except jwt.PyJWTError as e:
        print(type(e).__name__ + ": " + str(e))
        sys.exit(1)
    print(json.dumps({"sub": claims["sub"], "seq": claims["seq"], "kid": key.key_id}))


main()
