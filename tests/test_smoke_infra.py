from pathlib import Path

from conftest import SAMPLE, USER_PIN

import signkit


def test_token_signature_passes_all_independent_checks(softhsm, checks, tmp_path: Path):
    out = tmp_path / "signed.pdf"
    with signkit.open_token(module=softhsm.module, token="rsa2048", pin=USER_PIN) as key:
        result = signkit.sign_pdf(SAMPLE, out, key=key)
    assert result.status is signkit.SignStatus.SIGNED
    checks.all(out)
