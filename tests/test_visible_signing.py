"""Visible signatures end to end (issue #5): `signkit sign` with the appearance and placement
options on the Vietnamese sample decision, the seal workflow (`--then-seal`, and two runs),
the office config file, the refusals, and rotated pages.

Real parts only: the SoftHSM token of the session, PKCS#12 keys of the live test PKI,
poppler's renders (pdftoppm, 72 dpi: one pixel per point) and text boxes (pdftotext), qpdf,
pdfsig, pyHanko's validator and signkit's own verification.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
import signkit.cli.pins
from click.testing import CliRunner, Result
from conftest import FIXTURES, USER_PIN
from PIL import Image, ImageChops
from placement_support import PageSpec, Text, make_pdf, poppler_words
from pyhanko.pdf_utils.reader import PdfFileReader
from signkit.cli.main import cli

import signkit
from signkit.appearance import (
    Appearance,
    AppearanceSettings,
    Placement,
    Preset,
    load_appearance_config,
)
from signkit.appearance.config import ANCHOR_POSITIONS, PRESET_NAMES
from signkit.errors import ProfileError
from signkit.report import Indication, Modifications

SAMPLE_VI = FIXTURES / "pdf" / "qd-124-quyet-dinh-vi.pdf"
SIGNATURE_PNG = FIXTURES / "appearance" / "signature.png"
SEAL_PNG = FIXTURES / "appearance" / "seal.png"
NAME = "Nguyễn Văn Đặng"
ORGANISATION = "Ủy ban nhân dân tỉnh Quảng Ngãi"
P12_PASSWORD = "p12-secret"
PAGE_HEIGHT = 842


class CountingPrompter:
    """An interactive terminal that records every PIN prompt (and answers none right)."""

    def __init__(self) -> None:
        self.secrets: list[str] = []

    def interactive(self) -> bool:
        return True

    def secret(self, text: str) -> str:
        self.secrets.append(text)
        return "not-the-pin"

    def confirm(self, text: str) -> bool:
        return False


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    """No ~/.config/signkit/config.toml of the machine leaks into a test."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SIGNKIT_CONFIG", raising=False)


@pytest.fixture
def prompter(monkeypatch) -> CountingPrompter:
    fake = CountingPrompter()
    monkeypatch.setattr(signkit.cli.pins, "prompter", fake)
    return fake


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    merged = {"SIGNKIT_PIN": USER_PIN, "SIGNKIT_SEAL_PIN": P12_PASSWORD, **(env or {})}
    result = CliRunner().invoke(cli, list(args), env=merged)
    assert "Traceback" not in result.output, result.output
    assert USER_PIN not in result.output and P12_PASSWORD not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def personal_args(source: Path, out: Path) -> list[str]:
    return ["sign", "--token", "rsa2048", str(source), "-o", str(out), "--anchor", "CHỦ TỊCH",
            "--until", NAME, "--signature-image", str(SIGNATURE_PNG)]


def render(pdf: Path) -> Image.Image:
    run_ = subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile",
                           str(pdf)], capture_output=True, check=True)
    return Image.open(io.BytesIO(run_.stdout)).convert("RGB")


def changed_box(before: Image.Image, after: Image.Image) -> tuple[float, float, float, float]:
    """The box of changed pixels, in page space (points, origin bottom-left)."""
    diff = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > 40
                                                                   else 0)
    box = diff.getbbox()
    assert box is not None, "nothing was drawn"
    left, top, right, bottom = box
    return left, PAGE_HEIGHT - bottom, right, PAGE_HEIGHT - top


def word_box(pdf: Path, word: str, *, rotate: int = 0) -> tuple[float, float, float, float]:
    boxes = [b for w, b in poppler_words(pdf, 1, rotate) if w == word]
    assert boxes, f"{word!r} not on the page"
    return boxes[0]


def widgets(pdf: Path) -> dict[str, tuple[float, ...]]:
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()))
    return {s.field_name: tuple(float(v) for v in s.sig_field["/Rect"])
            for s in reader.embedded_signatures}


def verify(pdf: Path, pki):
    options = signkit.VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))
    return signkit.verify_pdf(pdf, options=options)


def flattened_text(pdf: Path, tmp_path: Path) -> str:
    flat = tmp_path / f"{pdf.stem}-flat.pdf"
    run_ = subprocess.run(["qpdf", "--flatten-annotations=all", str(pdf), str(flat)],
                          capture_output=True, text=True)
    assert run_.returncode in (0, 3), run_.stderr
    return subprocess.run(["pdftotext", str(flat), "-"], capture_output=True, text=True,
                          check=True).stdout


# --- the person's signature between the title and the name -----------------------------

def test_an_anchored_signature_is_inked_between_the_title_and_the_name(
        module_env, checks, tmp_path):
    out = tmp_path / "signed.pdf"
    result = run(*personal_args(SAMPLE_VI, out))
    assert result.exit_code == 0, result.output
    assert f"[Signature1] between 'CHỦ TỊCH' and '{NAME}' on page 1" in result.stdout
    ink = changed_box(render(SAMPLE_VI), render(out))
    title_bottom = word_box(SAMPLE_VI, "PHÓ")[1]
    name_top = word_box(SAMPLE_VI, "Nguyễn")[3]
    assert name_top < ink[1] and ink[3] < title_bottom, (ink, title_bottom, name_top)
    signature = word_box(SAMPLE_VI, "PHÓ")
    assert ink[0] < signature[2] and ink[2] > signature[0]  # under the title, not aside
    checks.all(out)


# --- the seal workflow -------------------------------------------------------------------

def _red(pixel) -> bool:
    r, g, b = pixel
    return r > 150 and g < 90 and b < 90


def _blue(pixel) -> bool:
    r, g, b = pixel
    return b > 110 and r < 90


def _count(image: Image.Image, box, test) -> int:
    x1, y1, x2, y2 = (round(v) for v in box)
    crop = image.crop((x1, PAGE_HEIGHT - y2, x2, PAGE_HEIGHT - y1))
    return sum(1 for p in crop.get_flattened_data() if test(p))


def assert_sealed_over_signature(out: Path, pki, checks) -> None:
    rects = widgets(out)
    person, seal = rects["Signature1"], rects["Signature2"]
    third = person[0] + (person[2] - person[0]) / 3
    assert abs(seal[2] - third) < 1.5, (seal, person)  # right edge a third into the signature
    assert seal[1] < person[3] and seal[3] > person[1]  # and level with it
    image = render(out)
    left_third = (person[0], person[1], third, person[3])
    rest = (third + 2, person[1], person[2], person[3])
    assert _count(image, left_third, _red) > 50  # the red seal lies over the left part
    assert _count(image, rest, _red) == 0
    assert _count(image, rest, _blue) > 50  # and the blue signature shows to its right
    report = verify(out, pki)
    assert report.status is Indication.TOTAL_PASSED, report
    statuses = [s.status for s in report.signatures]
    assert statuses == [Indication.TOTAL_PASSED] * 2
    assert report.signatures[0].modifications is Modifications.FORM_FILLING
    checks.all(out, signatures=2)  # pdfsig lists both as valid; qpdf; pyHanko's validator
    (first, _) = checks.pyhanko(out, signatures=2)
    assert first.modification_level.name in ("NONE", "FORM_FILLING")


def test_then_seal_signs_the_person_on_a_token_and_the_office_with_pkcs12_in_one_output(
        module_env, pki, checks, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    out = work / "qd-124-ban-hanh.pdf"
    result = run(*personal_args(SAMPLE_VI, out), "--then-seal", "--seal-pkcs12",
                 str(pki.p12("signer-second")), "--seal-image", str(SEAL_PNG),
                 "--organisation", ORGANISATION)
    assert result.exit_code == 0, result.output
    assert "sealed [Signature2] over the left third of signature 'Signature1'" in result.stdout
    assert sorted(p.name for p in work.iterdir()) == [out.name]  # no intermediate file
    assert_sealed_over_signature(out, pki, checks)
    signers = [s.signer.common_name for s in verify(out, pki).signatures]
    assert signers == ["Nguyễn Văn An", "Phạm Thị Dung"]


def test_the_seal_can_be_added_by_a_second_run(module_env, pki, checks, tmp_path):
    personal, sealed = tmp_path / "ky.pdf", tmp_path / "dong-dau.pdf"
    assert run(*personal_args(SAMPLE_VI, personal)).exit_code == 0
    result = run("sign", str(personal), "-o", str(sealed), "--pkcs12",
                 str(pki.p12("signer-second")), "--appearance", "vn-seal", "--over-signature",
                 "Signature1", "--seal-image", str(SEAL_PNG), "--organisation", ORGANISATION,
                 env={"SIGNKIT_PIN": P12_PASSWORD})
    assert result.exit_code == 0, result.output
    assert "[Signature2] over the left third of signature 'Signature1'" in result.stdout
    assert_sealed_over_signature(sealed, pki, checks)


def test_then_seal_with_a_wrong_seal_password_signs_nothing_and_asks_once(
        module_env, pki, prompter, tmp_path):
    out = tmp_path / "out.pdf"
    result = run(*personal_args(SAMPLE_VI, out), "--then-seal", "--seal-pkcs12",
                 str(pki.p12("signer-second")), "--seal-image", str(SEAL_PNG),
                 env={"SIGNKIT_SEAL_PIN": None})
    assert result.exit_code == 4, result.output
    assert len(prompter.secrets) == 1 and "seal" in prompter.secrets[0]
    assert not out.exists()


# --- the office config file ----------------------------------------------------------------

def write_config(folder: Path) -> Path:
    images = folder / "images"
    images.mkdir(parents=True)
    (images / "chu-ky-an.png").write_bytes(SIGNATURE_PNG.read_bytes())
    (images / "con-dau.png").write_bytes(SEAL_PNG.read_bytes())
    config = folder / "config.toml"
    config.write_text(f'''
[appearance]
visible = true
anchor = "CHỦ TỊCH"
until = "{NAME}"
organisation = "{ORGANISATION}"
seal_image = "images/con-dau.png"
seal_info = true

[people."nguyễn văn an"]
preset = "vn-personal"
signature_image = "images/chu-ky-an.png"
signer_name = "Ký thay: Nguyễn Văn An"
''', encoding="utf-8")
    return config


def test_with_the_config_file_a_clerks_command_is_short(module_env, pki, checks, tmp_path):
    config = write_config(tmp_path / "office")
    out = tmp_path / "out.pdf"
    result = run("sign", "--token", "rsa2048", str(SAMPLE_VI), "-o", str(out), "--then-seal",
                 "--seal-pkcs12", str(pki.p12("signer-second")),
                 env={"SIGNKIT_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    assert f"between 'CHỦ TỊCH' and '{NAME}'" in result.stdout
    text = flattened_text(out, tmp_path)
    assert "Ký thay: Nguyễn Văn An" in text  # the signer's own table
    assert "Ủy ban nhân dân tỉnh Quảng" in text  # the office's organisation, under the seal
    assert_sealed_over_signature(out, pki, checks)


def test_the_command_line_wins_over_the_person_and_the_office_over_the_profile(tmp_path):
    config = load_appearance_config(write_config(tmp_path / "office"))
    profile = AppearanceSettings(preset="plain", organisation="Profile org", seal_size_mm=40)
    person = config.for_signer("NGUYỄN VĂN AN")  # case and composition do not matter
    merged = AppearanceSettings(signer_name="From the command line").over(person).over(profile)
    assert merged.signer_name == "From the command line"
    assert merged.preset == "vn-personal"  # the person's, over the profile's plain
    assert merged.organisation == ORGANISATION  # the config's [appearance], over the profile
    assert merged.seal_size_mm == 40.0  # only the profile says it
    assert merged.signature_image == tmp_path / "office" / "images" / "chu-ky-an.png"
    assert config.for_signer("Somebody else").preset is None


@pytest.mark.parametrize("body, key", [
    ("[appearance]\nseal_imag = 'x.png'\n", "appearance.seal_imag"),
    ("[appearance]\npreset = 'vn-fancy'\n", "appearance.preset"),
    ("[appearance]\nseal_size_mm = 'big'\n", "appearance.seal_size_mm"),
    ('[people."An"]\nsignature_image = "missing.png"\n', 'people."An".signature_image'),
    ("[apperance]\n", "apperance"),
])
def test_config_errors_name_the_file_and_the_key(tmp_path, body, key):
    config = tmp_path / "config.toml"
    config.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_appearance_config(config)
    assert str(caught.value).startswith(f"{config}: {key}: "), caught.value


def test_an_opaque_image_in_the_config_is_refused_naming_the_key_before_any_pin(
        module_env, prompter, tmp_path):
    opaque = tmp_path / "scan.png"
    Image.new("RGB", (40, 20), "white").save(opaque)
    config = tmp_path / "config.toml"
    config.write_text('[appearance]\npreset = "vn-seal"\nseal_image = "scan.png"\n')
    result = run("sign", "--token", "rsa2048", str(SAMPLE_VI), "-o", str(tmp_path / "o.pdf"),
                 "--visible", env={"SIGNKIT_CONFIG": str(config), "SIGNKIT_PIN": None})
    assert result.exit_code == 2, result.output
    assert f"{config}: appearance.seal_image: " in result.output
    assert "no transparent background" in result.output
    assert prompter.secrets == []


def test_the_config_knows_every_preset_and_anchor_position():
    from signkit.appearance import AnchorPosition

    assert set(PRESET_NAMES) == {p.value for p in Preset}
    assert set(ANCHOR_POSITIONS) == {p.value for p in AnchorPosition}


# --- refusals ----------------------------------------------------------------------------

@pytest.mark.parametrize("option, missing, message", [
    ("--signature-image", "missing.png", "does not exist"),
    ("--font", "missing.ttf", "cannot read the font file"),
])
def test_a_missing_image_or_font_exits_2_before_any_pin_is_read(
        module_env, prompter, tmp_path, option, missing, message):
    out = tmp_path / "out.pdf"
    files = {"--signature-image": str(SIGNATURE_PNG), option: str(tmp_path / missing)}
    result = run("sign", "--token", "rsa2048", str(SAMPLE_VI), "-o", str(out), "--anchor",
                 "CHỦ TỊCH", "--appearance", "vn-personal",
                 *(arg for item in files.items() for arg in item), env={"SIGNKIT_PIN": None})
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert prompter.secrets == []
    assert not out.exists()


def test_an_anchor_not_found_fails_the_file_with_the_text_and_writes_nothing(
        module_env, tmp_path):
    out = tmp_path / "out.pdf"
    result = run("sign", "--token", "rsa2048", str(SAMPLE_VI), "-o", str(out), "--anchor",
                 "PHÓ GIÁM ĐỐC", "--signature-image", str(SIGNATURE_PNG),
                 "--appearance", "vn-personal")
    assert result.exit_code == 1, result.output
    assert "the text 'PHÓ GIÁM ĐỐC' was not found on page 1" in result.output
    assert not out.exists()


def test_a_rectangle_outside_the_page_fails_the_file_with_the_page_size(module_env, tmp_path):
    out = tmp_path / "out.pdf"
    result = run("sign", "--token", "rsa2048", str(SAMPLE_VI), "-o", str(out),
                 "--rect", "500,700,700,800", "--appearance", "plain")
    assert result.exit_code == 1, result.output
    assert "is outside page 1, whose visible area is 0,0,595,842" in result.output
    assert not out.exists()


# --- rotated pages -------------------------------------------------------------------------

@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_on_a_rotated_page_the_copy_note_reads_upright_at_the_top_right(
        pki, checks, tmp_path, rotate):
    source = tmp_path / f"rotated-{rotate}.pdf"
    source.write_bytes(make_pdf([PageSpec(texts=(Text("BẢN SAO", 100, 300),), rotate=rotate)]))
    out = tmp_path / f"signed-{rotate}.pdf"
    result = run("sign", "--pkcs12", str(pki.p12("signer-rsa2048")), str(source), "-o",
                 str(out), "--appearance", "vn-copy", "--organisation", "Văn phòng UBND tỉnh",
                 env={"SIGNKIT_PIN": P12_PASSWORD})
    assert result.exit_code == 0, result.output
    flat = tmp_path / f"flat-{rotate}.pdf"
    subprocess.run(["qpdf", "--flatten-annotations=all", str(out), str(flat)], check=False)
    width, height = (842, 595) if rotate in (90, 270) else (595, 842)
    x1, y1, x2, y2 = word_box(flat, "Sao", rotate=rotate)
    assert x2 - x1 > y2 - y1  # upright: a word is wider than tall as the reader sees it
    assert x1 > width / 2 and y1 > height - 80  # top right of the page as displayed
    office = word_box(flat, "phòng", rotate=rotate)
    assert office[3] < y1  # the organisation's line below the copy form, not beside it
    checks.pyhanko(out)


def test_the_appearance_of_a_quarter_turned_page_carries_the_turning_matrix(pki, tmp_path):
    source = tmp_path / "rotated.pdf"
    source.write_bytes(make_pdf([PageSpec(rotate=90)]))
    out = tmp_path / "signed.pdf"
    look = Appearance(Preset.PLAIN, signer_name=NAME)
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        result = signkit.sign_pdf(source, out, key=key, options=signkit.SignOptions(
            appearance=look, placement=Placement(rect=(500, 300, 800, 360))))
    assert result.placement == "at 500,300,800,360 on page 1" and result.page == 1
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    (sig,) = reader.embedded_signatures
    x1, y1, x2, y2 = (float(v) for v in sig.sig_field["/Rect"])
    assert (x2 - x1, y2 - y1) == (60, 300)  # the /Rect is in the unturned user space
    form = sig.sig_field["/AP"]["/N"]
    assert [float(v) for v in form["/BBox"]] in ([0, 60, 300, 0], [0, 0, 300, 60])
    assert [float(v) for v in form["/Matrix"]] == [0, 1, -1, 0, 60, 0]


# --- the library's view ------------------------------------------------------------------

def test_a_batch_reports_where_each_visible_signature_went(pki, tmp_path):
    jobs = [(SAMPLE_VI, tmp_path / "a.pdf"), (FIXTURES / "pdf" / "tt-7-to-trinh-co-truong-ky.pdf",
                                             tmp_path / "b.pdf")]
    look = Appearance(Preset.VN_PERSONAL, signature_image=SIGNATURE_PNG)
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        outcome = signkit.sign_many(jobs, key=key, options=signkit.SignOptions(appearance=look))
    first, second = outcome.results
    # the decision has no empty field and no placement was said: the clerk is asked
    assert not first.ok and "say where the visible signature goes" in first.error
    assert second.ok and second.field == "ChuKyLanhDao" and second.page == 1
    assert second.placement == "in the empty signature field 'ChuKyLanhDao' on page 1"


def test_then_seal_refuses_the_persons_own_key_as_the_seal(module_env, tmp_path):
    out = tmp_path / "out.pdf"
    result = run(*personal_args(SAMPLE_VI, out), "--then-seal", "--seal-pkcs11",
                 "--seal-token", "rsa2048", "--seal-image", str(SEAL_PNG),
                 env={"SIGNKIT_SEAL_PIN": USER_PIN})
    assert result.exit_code == 2, result.output
    assert "must be on another token" in result.output
    assert not out.exists()


def test_then_seal_refuses_the_persons_certificate_as_the_seal(pki, tmp_path):
    out, p12 = tmp_path / "out.pdf", str(pki.p12("signer-second"))
    result = run("sign", "--pkcs12", p12, str(SAMPLE_VI), "-o", str(out), "--anchor",
                 "CHỦ TỊCH", "--until", NAME, "--signature-image", str(SIGNATURE_PNG),
                 "--then-seal", "--seal-pkcs12", p12, "--seal-image", str(SEAL_PNG),
                 env={"SIGNKIT_PIN": P12_PASSWORD})
    assert result.exit_code == 2, result.output
    assert "the person's own key" in result.output
    assert not out.exists()


@pytest.mark.parametrize("extra, message", [
    (["--over-signature", "Signature1"], "--over-signature is for sealing in a separate run"),
    (["--certify", "--docmdp", "1"], "--docmdp 1 forbids"),
])
def test_then_seal_refuses_contradicting_options_before_any_pin(
        module_env, pki, prompter, tmp_path, extra, message):
    out = tmp_path / "out.pdf"
    result = run(*personal_args(SAMPLE_VI, out), "--then-seal", "--seal-pkcs12",
                 str(pki.p12("signer-second")), "--seal-image", str(SEAL_PNG), *extra,
                 env={"SIGNKIT_PIN": None, "SIGNKIT_SEAL_PIN": None})
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert prompter.secrets == []
    assert not out.exists()


def test_an_anchor_is_found_in_an_encrypted_pdf_with_its_password(module_env, pki, tmp_path):
    encrypted, out = tmp_path / "encrypted.pdf", tmp_path / "out.pdf"
    subprocess.run(["qpdf", "--encrypt", "user", "owner", "256", "--", str(SAMPLE_VI),
                    str(encrypted)], check=True)
    (tmp_path / "pdf-password").write_text("user\n")
    result = run(*personal_args(encrypted, out), "--pdf-password-file",
                 str(tmp_path / "pdf-password"))
    assert result.exit_code == 0, result.output
    assert f"between 'CHỦ TỊCH' and '{NAME}'" in result.stdout
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    reader.decrypt("user")
    (sig,) = reader.embedded_signatures
    assert sig.sig_field["/Kids"][0]["/Rect"] if "/Kids" in sig.sig_field \
        else sig.sig_field["/Rect"]  # a visible widget


# --- blank space: never over the page's text (issue #13) ---------------------------------

def _run_of(words, *texts: str) -> tuple[float, float, float, float]:
    runs = [words[i:i + len(texts)] for i in range(len(words))
            if tuple(t for t, _ in words[i:i + len(texts)]) == texts]
    assert runs, f"{texts} not on the page"
    boxes = [b for _, b in runs[0]]
    assert len({round(b[1]) for b in boxes}) == 1, f"{texts} is not on one line: {boxes}"
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _meets(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def test_the_help_example_anchor_inks_under_the_whole_title_over_no_text(
        module_env, checks, tmp_path):
    """`--anchor "CHỦ TỊCH"` on "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH": under the last title line."""
    out = tmp_path / "signed.pdf"
    result = run("sign", "--token", "rsa2048", str(SAMPLE_VI), "-o", str(out), "--anchor",
                 "CHỦ TỊCH", "--signature-image", str(SIGNATURE_PNG))
    assert result.exit_code == 0, result.output
    ink = changed_box(render(SAMPLE_VI), render(out))
    words = poppler_words(SAMPLE_VI, 1)
    assert ink[3] < _run_of(words, "PHÓ", "CHỦ", "TỊCH")[1]
    assert ink[1] > _run_of(words, NAME.split()[0], *NAME.split()[1:])[3]
    assert [w for w, box in words if _meets(ink, box)] == []
    checks.all(out)


def test_an_anchor_without_blank_space_under_it_fails_the_file_and_writes_nothing(
        module_env, tmp_path):
    out = tmp_path / "out.pdf"
    result = run("sign", "--token", "rsa2048", str(SAMPLE_VI), "-o", str(out), "--anchor",
                 "KT. CHỦ TỊCH", "--signature-image", str(SIGNATURE_PNG))
    assert result.exit_code == 1, result.output
    assert "no blank space for the signature" in result.output
    assert "it would cover the text 'PHÓ CHỦ TỊCH'" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_seal_info_stays_clear_of_the_printed_name_and_keeps_the_organisation_whole(
        module_env, pki, checks, tmp_path):
    out = tmp_path / "sealed.pdf"
    result = run(*personal_args(SAMPLE_VI, out), "--then-seal", "--seal-pkcs12",
                 str(pki.p12("signer-second")), "--seal-image", str(SEAL_PNG),
                 "--organisation", ORGANISATION, "--seal-info")
    assert result.exit_code == 0, result.output
    flat = tmp_path / "flat.pdf"
    run_ = subprocess.run(["qpdf", "--flatten-annotations=all", str(out), str(flat)],
                          capture_output=True, text=True)
    assert run_.returncode in (0, 3), run_.stderr
    words = poppler_words(flat, 1)
    organisation = _run_of(words, *ORGANISATION.split())  # one line, not broken
    name = _run_of(words, *NAME.split())
    assert not _meets(organisation, name), (organisation, name)
    seal = widgets(out)["Signature2"]
    assert organisation[2] < seal[2] and organisation[1] > name[3]  # beside the seal, above
    assert_sealed_over_signature(out, pki, checks)
