"""False-positive classes from issue 13 ("findings people can trust on real code"), each pinned
as a class: the noise stays gone, and the true positive of the same class is still reported.

Written for the weakness class, not copied from any benchmark record. Secret-shaped values are
built at run time (`redline.secrets.fakes`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.pipeline import analyze_text


def _lines(path: str, code: str, rule: str) -> list[int]:
    """1-based lines of `rule` findings for `code` scanned as `path` (fast engines only)."""
    return [f.span.start_point[0] + 1 for f in analyze_text(path, code, slow=False).findings if f.code == rule]


# ------------------------------------------------------------- RL301: HMAC digests are not weak hashes

HMAC_DIGESTS = [
    ("a.py", "import hmac, hashlib\nsig = hmac.new(key, msg, hashlib.sha1).hexdigest()\n"),
    ("a.py", "import hmac\nsig = hmac.new(key, msg, 'sha1').hexdigest()\n"),
    ("a.py", "import hmac, hashlib\nsig = hmac.new(key, msg, digestmod=hashlib.md5)\n"),
    ("a.py", "import hmac, hashlib\nsig = hmac.new(key, msg, lambda: hashlib.sha1())\n"),
    ("a.py", "import hmac, hashlib\nsig = hmac.new(key, msg, digestmod=lambda d=b'': hashlib.sha1(d))\n"),
    # a digest factory named as a signer's digest method (itsdangerous / Flask style)
    ("a.py", "import hashlib\n\ndef _lazy_sha1(string=b''):\n    return hashlib.sha1(string)\n\n"
             "class Signer:\n    digest_method = staticmethod(_lazy_sha1)\n"),
    ("a.js", "const crypto = require('crypto');\nconst sig = crypto.createHmac('sha1', key).update(body).digest('hex');\n"),
    ("A.java", "import javax.crypto.Mac;\nclass A {\n  byte[] f(byte[] b) throws Exception {\n"
               "    Mac m = Mac.getInstance(\"HmacSHA1\");\n    return m.doFinal(b);\n  }\n}\n"),
    ("a.go", "package main\n\nimport (\n\t\"crypto/hmac\"\n\t\"crypto/sha1\"\n)\n\n"
             "func sign(key, msg []byte) []byte {\n\tm := hmac.New(sha1.New, key)\n\tm.Write(msg)\n\treturn m.Sum(nil)\n}\n"),
    ("a.go", "package main\n\nimport (\n\t\"crypto/hmac\"\n\t\"crypto/sha1\"\n\t\"hash\"\n)\n\n"
             "func sign(key, msg []byte) []byte {\n\tm := hmac.New(func() hash.Hash { return sha1.New() }, key)\n"
             "\tm.Write(msg)\n\treturn m.Sum(nil)\n}\n"),
]


@pytest.mark.parametrize("path,code", HMAC_DIGESTS)
def test_hmac_with_sha1_or_md5_is_not_a_weak_hash(path, code):
    assert _lines(path, code, "RL301") == []


WEAK_HASHES = [
    ("a.py", "import hashlib\nh = hashlib.sha1(password.encode()).hexdigest()\n", 2),
    ("a.py", "import hashlib\nh = hashlib.md5(data).hexdigest()\n", 2),
    # a function returning sha1 that is *not* an HMAC digest factory
    ("a.py", "import hashlib\n\ndef fingerprint(b):\n    return hashlib.sha1(b)\n", 4),
    # a lambda elsewhere than an HMAC
    ("a.py", "import hashlib\nfp = lambda b: hashlib.sha1(b)\n", 2),
    ("a.js", "const crypto = require('crypto');\nconst h = crypto.createHash('sha1').update(password).digest('hex');\n", 2),
    ("a.go", "package main\n\nimport \"crypto/sha1\"\n\nfunc hashPassword(password string) [20]byte { return sha1.Sum([]byte(password)) }\n", 5),
    ("a.go", "package main\n\nimport \"crypto/sha1\"\n\nfunc h() func() []byte {\n\treturn func() []byte { s := sha1.New(); return s.Sum(nil) }\n}\n", 6),
]


@pytest.mark.parametrize("path,code,line", WEAK_HASHES)
def test_plain_weak_hashes_are_still_reported(path, code, line):
    assert _lines(path, code, "RL301") == [line]
