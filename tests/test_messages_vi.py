"""Report messages from codes with parameters (``signkit.report.messages``): every code on an
example, its English (what JSON and CSV write) and its Vietnamese; the same Vietnamese for the
plain English text of a report read back from JSON (``messages_vi``); the writers under
``lang="vi"``; and real verification of the issue #3 and #4 documents (``verify_docs``,
``verify_attack_docs``, long-term ones from ``ltv_verify_support``), whose every message must
come from a code, hence have Vietnamese words: a message written as a plain string fails here.
Only pyHanko's own words pass through, in English, framed as technical detail."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import string
from html.parser import HTMLParser

import pytest
import verify_attack_docs  # noqa: F401 - adds its documents to verify_docs.DOCS
from ltv_verify_support import ClockedPki, flip_token_signature
from test_verify import CASES, crl_files, options  # noqa: F401 - fixtures

import signkit
from signkit.report import (
    BatchReport,
    FileReport,
    Indication,
    SignatureReport,
    SubIndication,
    printable,
    render_csv,
    render_html,
    render_json,
    render_text,
)
from signkit.report.messages import CATALOG, Message
from signkit.report.messages_vi import RULES, TECHNICAL_DETAIL, rule_for, to_vietnamese
from signkit.verification import VerifyOptions

UTC = dt.UTC
ICT = dt.timezone(dt.timedelta(hours=7))
REVOKED_AT = dt.datetime(2025, 6, 1, tzinfo=UTC)
LATER = dt.datetime(2030, 1, 1, tzinfo=UTC)
POE = dt.datetime(2031, 1, 1, tzinfo=UTC)
TS_AT = dt.datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
M = Message
DAMAGED = M("pdf.malformed", detail="PdfReadError: EOF marker not found")
TS2 = M("doc_ts.name_at", field="Signature2", time=TS_AT)

# (message, its English text, its Vietnamese): at least one per code
EXAMPLES = [
    (M("file.unreadable", detail="No such file or directory"),
     "cannot read the file: No such file or directory",
     "không đọc được tệp (chi tiết kỹ thuật: No such file or directory)"),
    (M("file.timeout", seconds=1.5), "verification took longer than 1.5 s and was stopped",
     "việc kiểm tra kéo dài quá 1.5 giây nên đã bị dừng"),
    (M("file.time_limit", seconds=1.5),
     "verification stopped at a resource limit: time: it took longer than the time limit of "
     "1.5 s per file",
     "việc kiểm tra đã bị dừng vì vượt giới hạn thời gian 1.5 giây cho mỗi tệp"),
    (M("file.memory_limit", size="512 MB"),
     "verification stopped at a resource limit: memory: it needed more than the memory limit "
     "of 512 MB per file",
     "việc kiểm tra đã bị dừng vì cần nhiều bộ nhớ hơn giới hạn 512 MB cho mỗi tệp"),
    (M("file.worker_died", detail="killed by signal 9"),
     "verification could not finish: the worker process verifying it died (killed by "
     "signal 9)",
     "không hoàn tất được việc kiểm tra: tiến trình kiểm tra tệp này đã dừng đột ngột (chi "
     "tiết kỹ thuật: killed by signal 9)"),
    (M("file.empty"), "empty file, not a PDF", "tệp rỗng, không phải tệp PDF"),
    (M("file.not_pdf"), "not a PDF file (no %PDF- header)",
     "không phải tệp PDF (thiếu phần đầu %PDF-)"),
    (M("file.damaged_xref_stream", detail="3 entries of 900000"),
     "damaged cross-reference stream: it ends before the entries it claims (3 entries of "
     "900000)",
     "luồng tham chiếu chéo bị hỏng: kết thúc trước các mục mà nó khai báo (chi tiết kỹ "
     "thuật: 3 entries of 900000)"),
    (M("file.damaged", why=DAMAGED),
     "damaged or unreadable PDF: malformed PDF structure (PdfReadError: EOF marker not found)",
     "tệp PDF bị hỏng hoặc không đọc được: cấu trúc PDF sai (chi tiết kỹ thuật: "
     "PdfReadError: EOF marker not found)"),
    (M("pdf.too_deep"), "objects nested too deeply to read (a hostile structure)",
     "các đối tượng lồng nhau quá sâu nên không đọc được (cấu trúc độc hại)"),
    (M("pdf.corrupt_stream", detail="invalid stored block lengths"),
     "a compressed stream is corrupt (invalid stored block lengths)",
     "một luồng dữ liệu nén bị hỏng (chi tiết kỹ thuật: invalid stored block lengths)"),
    (DAMAGED, "malformed PDF structure (PdfReadError: EOF marker not found)",
     "cấu trúc PDF sai (chi tiết kỹ thuật: PdfReadError: EOF marker not found)"),
    (M("file.lenient_hybrid"),
     "read leniently: the file has hybrid cross-references (a table and a stream), checked "
     "to agree",
     "đã đọc tệp ở chế độ nới lỏng: tệp có tham chiếu chéo kép (bảng và luồng), đã kiểm tra "
     "là khớp nhau"),
    (M("file.lenient", detail="Object with id 17 has an orphaned generation"),
     "read leniently: the file is not strictly valid PDF (Object with id 17 has an orphaned "
     "generation)",
     "đã đọc tệp ở chế độ nới lỏng: tệp không hoàn toàn đúng chuẩn PDF (chi tiết kỹ thuật: "
     "Object with id 17 has an orphaned generation)"),
    (M("file.limit_revisions", revisions=501, maximum=500),
     "resource limit: the file has 501 revisions; signkit analyses at most 500",
     "giới hạn tài nguyên: tệp có 501 phiên bản; signkit chỉ phân tích tối đa 500 phiên bản"),
    (M("file.limit_object", number=7, size="9.5", maximum=4),
     "resource limit: object 7 is 9.5 MB before any stream data; signkit parses objects of "
     "at most 4 MB",
     "giới hạn tài nguyên: đối tượng 7 dài 9.5 MB trước phần dữ liệu luồng; signkit chỉ phân "
     "tích đối tượng dài tối đa 4 MB"),
    (M("file.only_doc_timestamps"), "the document carries document timestamps but no signature",
     "tài liệu chỉ có dấu thời gian tài liệu, không có chữ ký số nào"),
    (M("file.not_signed"), "the document is not signed", "tài liệu chưa được ký số"),
    (M("file.could_not_finish", why=M("file.memory")),
     "verification could not finish: the file needs more memory than the per-file limit "
     "allows",
     "không hoàn tất được việc kiểm tra: tệp cần nhiều bộ nhớ hơn giới hạn cho phép đối với "
     "mỗi tệp"),
    (M("file.memory"), "the file needs more memory than the per-file limit allows",
     "tệp cần nhiều bộ nhớ hơn giới hạn cho phép đối với mỗi tệp"),
    (M("sig.byterange_not_integers", value="['0', 'x']"),
     "the /ByteRange ['0', 'x'] is not four integers",
     "/ByteRange ['0', 'x'] không phải là bốn số nguyên"),
    (M("sig.byterange_malformed", value="[0, -5, 99999999, 7]"),
     "the /ByteRange [0, -5, 99999999, 7] is malformed for this file",
     "/ByteRange [0, -5, 99999999, 7] không hợp lệ đối với tệp này"),
    (M("sig.wrapping"),
     "the bytes left out of the /ByteRange are not exactly the signature's /Contents "
     "(signature wrapping)",
     "phần dữ liệu nằm ngoài /ByteRange không đúng là giá trị /Contents của chữ ký "
     "(tấn công bọc chữ ký)"),
    (M("sig.signer_infos", count=2),
     "the signature holds 2 SignerInfos; a PDF signature must hold exactly one",
     "chữ ký chứa 2 SignerInfo; chữ ký PDF phải chứa đúng một SignerInfo"),
    (M("sig.no_tst_info"), "the document timestamp holds no timestamp token (TSTInfo)",
     "dấu thời gian tài liệu không chứa thẻ dấu thời gian (TSTInfo)"),
    (M("sig.encapsulated"),
     "the signature encapsulates content; a PDF signature must be detached",
     "chữ ký chứa kèm nội dung được ký; chữ ký PDF phải ở dạng tách rời (detached)"),
    (M("sig.cannot_validate", detail="CMS structural error"),
     "the signature cannot be validated: CMS structural error",
     "không kiểm tra được chữ ký số (chi tiết kỹ thuật: CMS structural error)"),
    (M("sig.decompression_bomb", detail="Stream exceeds 64 MiB"),
     "a compressed stream of the document inflates beyond the safety limit (a decompression "
     "bomb?): Stream exceeds 64 MiB",
     "một luồng dữ liệu nén trong tài liệu khi giải nén vượt quá giới hạn an toàn (nghi là "
     "bom giải nén; chi tiết kỹ thuật: Stream exceeds 64 MiB)"),
    (M("sig.malformed", why=M("pdf.too_deep")),
     "malformed signature: objects nested too deeply to read (a hostile structure)",
     "chữ ký số sai cấu trúc: các đối tượng lồng nhau quá sâu nên không đọc được (cấu trúc "
     "độc hại)"),
    (M("integrity.hash"),
     "the signed bytes do not match the digest in the signature (content changed)",
     "dữ liệu được ký không khớp với giá trị băm trong chữ ký (nội dung đã bị thay đổi)"),
    (M("integrity.signature_value"),
     "the signature value does not verify with the signer's public key",
     "giá trị chữ ký không khớp với khóa công khai của người ký"),
    (M("integrity.partial_coverage"),
     "the signature's /ByteRange does not cover its whole revision (possible signature "
     "wrapping or universal signature forgery)",
     "vùng dữ liệu được ký (/ByteRange) không bao trùm toàn bộ phiên bản tài liệu được ký "
     "(có thể là tấn công bọc chữ ký hoặc giả mạo chữ ký)"),
    (M("changed.page_content", page=1), "page 1's content was changed after the signature",
     "nội dung trang 1 đã bị thay đổi sau khi ký"),
    (M("changed.pages_replaced"), "the document's pages were replaced after the signature",
     "các trang của tài liệu đã bị thay thế sau khi ký"),
    (M("changed.annotation", page=2),
     "an annotation was added to or changed on page 2 after the signature",
     "chú thích trên trang 2 đã bị thêm hoặc sửa sau khi ký"),
    (M("changed.form_field", name="SoVanBan"),
     "the form field «SoVanBan» was changed after the signature",
     "trường biểu mẫu «SoVanBan» đã bị thay đổi sau khi ký"),
    (M("changed.signature_field", name="Overlay"),
     "the signature field «Overlay» was added or changed after the signature",
     "trường chữ ký «Overlay» đã bị thêm hoặc sửa sau khi ký"),
    (M("changed.hidden_update"),
     "the file was changed after the signature in a part that some PDF viewers show",
     "tệp đã bị thay đổi sau khi ký, ở phần mà một số trình xem PDF sẽ hiển thị"),
    (M("changed.other"),
     "the document was changed after the signature in a way that is not allowed",
     "tài liệu đã bị thay đổi sau khi ký theo cách không được phép"),
    (M("modified.beyond_allowed"),
     "modified after signing: changes beyond form filling, annotations and signatures",
     "tài liệu đã bị sửa đổi sau khi ký: có thay đổi ngoài việc điền biểu mẫu, thêm chú "
     "thích và thêm chữ ký"),
    (M("modified.docmdp", change="annotations"),
     "modified after signing: annotations is not permitted by the document's certification "
     "(DocMDP)",
     "tài liệu đã bị sửa đổi sau khi ký: thêm chú thích là thay đổi mà chữ ký chứng nhận "
     "của tài liệu (DocMDP) không cho phép"),
    (M("modified.strict", change="form filling"),
     "modified after signing: form filling (refused by the strict check of changes)",
     "tài liệu đã bị sửa đổi sau khi ký: điền biểu mẫu (bị từ chối khi kiểm tra thay đổi "
     "nghiêm ngặt)"),
    (M("modified.hidden", problem=M("hidden.listed_twice", revision=2, number=5)),
     "modified after signing: update 2 lists object 5 twice, at two places: readers disagree "
     "on which one counts",
     "tài liệu đã bị sửa đổi sau khi ký: bản cập nhật 2 khai báo đối tượng 5 hai lần ở hai vị "
     "trí; các trình đọc PDF hiểu khác nhau"),
    (M("detail.modified", detail="Values for dict key /Pages differ"),
     "modified after signing: Values for dict key /Pages differ",
     "tài liệu đã bị sửa đổi sau khi ký (chi tiết kỹ thuật: Values for dict key /Pages "
     "differ)"),
    (M("hidden.unparsed", where="the last signed revision", n=445),
     "data after the last signed revision: an unparsed update of 445 bytes that viewers may "
     "display and no signature covers",
     "sau phiên bản cuối cùng được ký có 445 byte cập nhật không đọc được; trình xem có thể "
     "hiển thị phần này nhưng không chữ ký nào bao trùm nó"),
    (M("hidden.reuses_xref", revision=2, offset=116),
     "update 2 re-uses cross-reference data from before it (offset 116): readers disagree on "
     "what it holds",
     "bản cập nhật 2 dùng lại dữ liệu tham chiếu chéo nằm trước nó (vị trí 116); các trình "
     "đọc PDF hiểu nội dung của nó khác nhau"),
    (M("hidden.startxref_beside", revision=3),
     "the startxref of update 3 points beside its cross-reference section: readers repair "
     "such files differently",
     "con trỏ startxref của bản cập nhật 3 không trỏ đúng vào phần tham chiếu chéo của nó; "
     "các trình đọc PDF sửa tệp như vậy theo những cách khác nhau"),
    (M("hidden.no_own_end", revision=2),
     "update 2 does not end with its own startxref and %%EOF",
     "bản cập nhật 2 không kết thúc bằng startxref và %%EOF của riêng nó"),
    (M("hidden.object_number", revision=2, number=9_000_000, maximum="8,388,607"),
     "update 2 uses object number 9000000, beyond the 8,388,607 that readers accept: viewers "
     "refuse or misread the file",
     "bản cập nhật 2 dùng số đối tượng 9000000, vượt quá 8,388,607 mà các trình đọc PDF chấp "
     "nhận; trình xem sẽ từ chối hoặc đọc sai tệp"),
    (M("hidden.listed_twice", revision=2, number=5),
     "update 2 lists object 5 twice, at two places: readers disagree on which one counts",
     "bản cập nhật 2 khai báo đối tượng 5 hai lần ở hai vị trí; các trình đọc PDF hiểu khác "
     "nhau"),
    (M("hidden.entry_elsewhere", revision=2, number=4),
     "the cross-reference entry of object 4 in update 2 does not point at that object: "
     "readers that rebuild the table may show other objects",
     "mục tham chiếu chéo của đối tượng 4 trong bản cập nhật 2 không trỏ đúng vào đối tượng "
     "đó; trình đọc dựng lại bảng có thể hiển thị đối tượng khác"),
    (M("hidden.unlisted_object", revision=2, number=15, generation=0, offset=10232),
     "update 2 defines object 15 0 at offset 10232 without listing it: readers that rebuild "
     "the cross-reference table show it, pyHanko does not",
     "bản cập nhật 2 chứa đối tượng 15 0 (vị trí 10232) không có trong bảng tham chiếu chéo; "
     "trình đọc dựng lại bảng sẽ hiển thị nó"),
    (M("hidden.object_stream_unreadable", number=9, revision=2, detail="KeyError: '/N'"),
     "object stream 9 of update 2 cannot be read: KeyError: '/N'",
     "không đọc được luồng đối tượng 9 của bản cập nhật 2 (chi tiết kỹ thuật: KeyError: "
     "'/N')"),
    (M("hidden.object_stream_unlisted", number=9, revision=2, held=4),
     "object stream 9 of update 2 holds object 4 that its cross-reference section does not "
     "point to: readers disagree on which definition counts",
     "luồng đối tượng 9 của bản cập nhật 2 chứa đối tượng 4 mà phần tham chiếu chéo không "
     "trỏ tới; các trình đọc PDF hiểu khác nhau về định nghĩa có hiệu lực"),
    (M("hidden.viewer_modifies", detail="Page 1 changed"),
     "read as viewers read it, the unparsed update modifies the document: Page 1 changed",
     "đọc như trình xem đọc, phần cập nhật không đọc được đã sửa đổi tài liệu (chi tiết kỹ "
     "thuật: Page 1 changed)"),
    (M("hidden.viewer_level", change="form filling"),
     "read as viewers read it, the unparsed update makes changes of level «form filling»",
     "đọc như trình xem đọc, phần cập nhật không đọc được tạo ra thay đổi loại «điền biểu "
     "mẫu»"),
    (M("hidden.linearization_trap"),
     "the linearization dictionary states the length of the whole signed file: viewers that "
     "honour it (pdf.js) display only the first revision",
     "từ điển tuyến tính hóa (linearization) khai báo độ dài của cả tệp đã ký; trình xem tuân "
     "theo nó (pdf.js) chỉ hiển thị phiên bản đầu tiên"),
    (M("hidden.more", count=12), "… and 12 more problems", "… và 12 vấn đề khác"),
    (M("hidden.unchecked", detail="boom"),
     "the revisions after signing cannot be checked: boom",
     "không kiểm tra được các phiên bản sau khi ký (chi tiết kỹ thuật: boom)"),
    (M("policy.digest", digest="sha1", allowed="sha256, sha384, sha512"),
     "digest sha1 is not allowed (allowed: sha256, sha384, sha512)",
     "thuật toán băm sha1 không được phép (được phép: sha256, sha384, sha512)"),
    (M("policy.rsa", bits=1024, minimum=2048), "RSA key of 1024 bits is below 2048",
     "khóa RSA dài 1024 bit, dưới mức tối thiểu 2048 bit"),
    (M("policy.curve", curve="secp192r1"), "elliptic curve secp192r1 is not allowed",
     "đường cong elliptic secp192r1 không được phép"),
    (M("trust.revoked_before_signing", when=REVOKED_AT, reason="key_compromise"),
     "the signer's certificate was revoked on 2025-06-01 00:00 UTC (key_compromise), before "
     "the signing time",
     "chứng thư số của người ký đã bị thu hồi ngày 2025-06-01 00:00 UTC (lý do: lộ khóa bí "
     "mật), trước thời điểm ký"),
    (M("trust.revoked_no_poe", when=REVOKED_AT, reason="superseded"),
     "the signer's certificate was revoked on 2025-06-01 00:00 UTC (superseded); no proof "
     "the signature existed before that",
     "chứng thư số của người ký đã bị thu hồi ngày 2025-06-01 00:00 UTC (lý do: đã được "
     "thay thế); không có bằng chứng chữ ký đã tồn tại trước thời điểm đó"),
    (M("trust.revoked_before_poe", when=LATER, reason="key_compromise", poe=POE),
     "the signer's certificate was revoked on 2030-01-01 00:00 UTC (key_compromise), before "
     "the earliest proof that the signature existed (2031-01-01 00:00 UTC)",
     "chứng thư số của người ký đã bị thu hồi ngày 2030-01-01 00:00 UTC (lý do: lộ khóa bí "
     "mật), trước bằng chứng sớm nhất về sự tồn tại của chữ ký (2031-01-01 00:00 UTC)"),
    (M("ltv.valid_revoked_after", when=LATER, reason="a_new_reason", poe=TS_AT),
     "valid: the signer's certificate was revoked on 2030-01-01 00:00 UTC (a_new_reason), "
     "after 2026-11-28 08:00 UTC, when the signature timestamp proves the signature existed",
     "hợp lệ: chứng thư số của người ký bị thu hồi ngày 2030-01-01 00:00 UTC (lý do: "
     "a_new_reason), sau 2026-11-28 08:00 UTC, thời điểm mà dấu thời gian chứng minh chữ "
     "ký đã tồn tại"),
    (M("ltv.valid_revoked_later", poe=None),
     "valid: the signer's certificate was revoked after an unknown time, when the signature "
     "timestamp proves the signature existed",
     "hợp lệ: chứng thư số của người ký bị thu hồi sau một thời điểm không xác định, thời "
     "điểm mà dấu thời gian chứng minh chữ ký đã tồn tại"),
    (M("ltv.valid_at", poe=TS_AT),
     "valid at 2026-11-28 08:00 UTC, the time a timestamp proves the signature existed (the "
     "certificate's status at the validation time does not matter then)",
     "hợp lệ tại 2026-11-28 08:00 UTC, thời điểm mà dấu thời gian chứng minh chữ ký đã tồn "
     "tại (khi đó tình trạng của chứng thư số tại thời điểm kiểm tra không còn ảnh hưởng)"),
    (M("ltv.no_proof_detail", name="OUT_OF_BOUNDS_NO_POE", detail="Revocation data not valid"),
     "no timestamp proves the signature valid at an earlier time (OUT_OF_BOUNDS_NO_POE: "
     "Revocation data not valid)",
     "không có dấu thời gian nào chứng minh chữ ký hợp lệ tại một thời điểm sớm hơn "
     "(OUT_OF_BOUNDS_NO_POE; chi tiết kỹ thuật: Revocation data not valid)"),
    (M("ltv.no_proof", name="NO_POE"),
     "no timestamp proves the signature valid at an earlier time (NO_POE)",
     "không có dấu thời gian nào chứng minh chữ ký hợp lệ tại một thời điểm sớm hơn (NO_POE)"),
    (M("trust.no_chain"), "no chain to a trusted root (signer not trusted)",
     "không xây dựng được chuỗi chứng thư số đến chứng thư số gốc được tin cậy (người ký "
     "không được tin cậy)"),
    (M("trust.expired"),
     "the signer's certificate has expired and nothing proves the signature existed while it "
     "was valid",
     "chứng thư số của người ký đã hết hạn và không có gì chứng minh chữ ký đã được tạo khi "
     "chứng thư số còn hiệu lực"),
    (M("trust.try_later"),
     "the revocation status could not be confirmed (no usable, current OCSP or CRL answer for "
     "a certificate in the chain)",
     "không xác nhận được tình trạng thu hồi (thiếu phản hồi OCSP hoặc CRL dùng được và còn "
     "hiệu lực cho một chứng thư số trong chuỗi)"),
    (M("trust.weak_chain"), "an algorithm in the certificate chain is too weak",
     "một thuật toán trong chuỗi chứng thư số không đủ an toàn"),
    (M("trust.key_usage"), "the certificate does not allow document signing (key usage)",
     "chứng thư số không cho phép ký tài liệu (mục đích sử dụng khóa - key usage)"),
    (M("trust.ca_revoked"), "a CA certificate in the chain was revoked",
     "một chứng thư số của tổ chức cung cấp dịch vụ chứng thực trong chuỗi đã bị thu hồi"),
    (M("trust.not_yet_valid"), "the signer's certificate is not yet valid",
     "chứng thư số của người ký chưa đến thời điểm có hiệu lực"),
    (M("trust.failed", name="SIG_CONSTRAINTS_FAILURE"),
     "certificate validation failed (SIG_CONSTRAINTS_FAILURE)",
     "kiểm tra chứng thư số không thành công (SIG_CONSTRAINTS_FAILURE)"),
    (M("ts.imprint"),
     "the signature timestamp does not verify: it does not time-stamp this signature "
     "(message imprint mismatch)",
     "dấu thời gian của chữ ký không hợp lệ: dấu thời gian này không được cấp cho chữ ký này "
     "(giá trị băm không khớp)"),
    (M("ts.tsa_signature"),
     "the signature timestamp does not verify: the time-stamping authority's signature on it "
     "is invalid (the timestamp token was altered)",
     "dấu thời gian của chữ ký không hợp lệ: chữ ký của tổ chức cung cấp dịch vụ cấp dấu "
     "thời gian trên dấu thời gian không đúng (dấu thời gian đã bị sửa)"),
    (M("ts.untrusted", name="NO_CERTIFICATE_CHAIN_FOUND"),
     "the signature timestamp does not verify: its time-stamping authority is not trusted "
     "(NO_CERTIFICATE_CHAIN_FOUND)",
     "dấu thời gian của chữ ký không hợp lệ: tổ chức cung cấp dịch vụ cấp dấu thời gian "
     "không được tin cậy (NO_CERTIFICATE_CHAIN_FOUND)"),
    (M("doc_ts.changed", timestamp=TS2),
     "document timestamp Signature2 of 2026-11-28 08:00 UTC does not verify: the "
     "time-stamped revision changed",
     "dấu thời gian tài liệu Signature2 ngày 2026-11-28 08:00 UTC không hợp lệ: phiên bản "
     "tài liệu được gắn dấu thời gian đã bị thay đổi"),
    (M("doc_ts.tsa_signature", timestamp=TS2),
     "document timestamp Signature2 of 2026-11-28 08:00 UTC does not verify: the "
     "time-stamping authority's signature is invalid",
     "dấu thời gian tài liệu Signature2 ngày 2026-11-28 08:00 UTC không hợp lệ: chữ ký của "
     "tổ chức cung cấp dịch vụ cấp dấu thời gian không đúng"),
    (M("doc_ts.partial_coverage", timestamp=M("doc_ts.name", field="DauThoiGian")),
     "document timestamp DauThoiGian does not cover its whole revision",
     "dấu thời gian tài liệu DauThoiGian không bao trùm toàn bộ phiên bản tài liệu của nó"),
    (M("doc_ts.modified", timestamp=TS2),
     "document timestamp Signature2 of 2026-11-28 08:00 UTC: the document was modified after "
     "it (beyond signatures, form filling and validation data)",
     "dấu thời gian tài liệu Signature2 ngày 2026-11-28 08:00 UTC: tài liệu đã bị sửa đổi "
     "sau dấu thời gian này (ngoài việc thêm chữ ký, điền biểu mẫu và bổ sung dữ liệu kiểm "
     "tra)"),
    (M("doc_ts.untrusted", timestamp=TS2, name="OUT_OF_BOUNDS_NO_POE"),
     "document timestamp Signature2 of 2026-11-28 08:00 UTC does not verify: its "
     "time-stamping authority is not trusted (OUT_OF_BOUNDS_NO_POE)",
     "dấu thời gian tài liệu Signature2 ngày 2026-11-28 08:00 UTC không hợp lệ: tổ chức cung "
     "cấp dịch vụ cấp dấu thời gian không được tin cậy (OUT_OF_BOUNDS_NO_POE)"),
    (M("doc_ts.try_later", field="Signature2", detail="timeout"),
     "document timestamp Signature2 cannot be validated now: timeout",
     "chưa kiểm tra được dấu thời gian tài liệu Signature2, hãy thử lại sau (chi tiết kỹ "
     "thuật: timeout)"),
    (M("doc_ts.cannot_validate", field="Signature2", detail="unexpected end of stream"),
     "document timestamp Signature2 cannot be validated: unexpected end of stream",
     "không kiểm tra được dấu thời gian tài liệu Signature2 (chi tiết kỹ thuật: unexpected "
     "end of stream)"),
    (M("doc_ts.problem", field="Signature2", problem=M("sig.no_tst_info")),
     "document timestamp Signature2: the document timestamp holds no timestamp token "
     "(TSTInfo)",
     "dấu thời gian tài liệu Signature2: dấu thời gian tài liệu không chứa thẻ dấu thời gian "
     "(TSTInfo)"),
    (M("offline.no_issuer", issuer="Common Name: signkit Test Issuing CA G2",
       subject="CN=Trịnh Văn Quang,C=VN"),
     "offline: the issuer certificate «Common Name: signkit Test Issuing CA G2» of «CN=Trịnh "
     "Văn Quang,C=VN» is neither in the document nor in the profile or the other "
     "certificates given",
     "kiểm tra ngoại tuyến: chứng thư số của bên cấp «Common Name: signkit Test Issuing CA "
     "G2» (bên đã cấp chứng thư số «CN=Trịnh Văn Quang,C=VN») không có trong tài liệu, trong "
     "hồ sơ tin cậy hay trong các chứng thư số khác được cung cấp"),
    (M("offline.no_revocation", subject="CN=Nguyễn Văn An,C=VN"),
     "offline: no revocation data (OCSP response or CRL) for «CN=Nguyễn Văn An,C=VN» in the "
     "document or the CRL files given",
     "kiểm tra ngoại tuyến: không có dữ liệu thu hồi (phản hồi OCSP hoặc CRL) cho chứng thư "
     "số «CN=Nguyễn Văn An,C=VN» trong tài liệu hay trong các tệp CRL được cung cấp"),
    (M("warning.revocation_server", detail="timeout"),
     "warning: revocation server did not answer (timeout); judged without online revocation "
     "data",
     "cảnh báo: máy chủ cung cấp tình trạng thu hồi không trả lời (chi tiết kỹ thuật: "
     "timeout); đã đánh giá mà không có dữ liệu thu hồi trực tuyến"),
    (M("warning.revocation_not_checked",
       detail="Failed to fetch OCSP response from http://127.0.0.1:1/o"),
     "warning: revocation not checked: Failed to fetch OCSP response from http://127.0.0.1:1/o",
     "cảnh báo: chưa kiểm tra được tình trạng thu hồi của chứng thư số (chi tiết kỹ thuật: "
     "Failed to fetch OCSP response from http://127.0.0.1:1/o)"),
    (M("warning.long_term_failed", detail="boom"),
     "warning: validation at the timestamps' proofs of existence could not run: boom",
     "cảnh báo: không thực hiện được việc kiểm tra tại thời điểm mà dấu thời gian chứng minh "
     "chữ ký đã tồn tại (chi tiết kỹ thuật: boom)"),
    (M("warning.detail", detail="Fetching CRL from http://127.0.0.1:1/c failed"),
     "warning: Fetching CRL from http://127.0.0.1:1/c failed",
     "cảnh báo (chi tiết kỹ thuật: Fetching CRL from http://127.0.0.1:1/c failed)"),
    (M("detail.validation", detail="Failed to build path for Common Name: X"),
     "Failed to build path for Common Name: X",
     "(chi tiết kỹ thuật) Failed to build path for Common Name: X"),
    (TS2, "document timestamp Signature2 of 2026-11-28 08:00 UTC",
     "dấu thời gian tài liệu Signature2 ngày 2026-11-28 08:00 UTC"),
    (M("doc_ts.name", field="DauThoiGian"), "document timestamp DauThoiGian",
     "dấu thời gian tài liệu DauThoiGian"),
]
IDS = [f"{message.code}-{i}" for i, (message, _, _) in enumerate(EXAMPLES)]


@pytest.mark.parametrize(("message", "english", "vietnamese"), EXAMPLES, ids=IDS)
def test_a_message_from_its_code_in_english_and_vietnamese(message, english, vietnamese):
    assert str(message) == english and message.text("en") == english
    assert message.text("vi") == vietnamese
    assert pickle.loads(pickle.dumps(message)).text("vi") == vietnamese  # from a worker


@pytest.mark.parametrize(("message", "english", "vietnamese"), EXAMPLES, ids=IDS)
def test_the_same_words_from_plain_english_text_read_back_from_json(message, english,
                                                                     vietnamese):
    plain = json.loads(json.dumps(english))
    if message.code == "detail.validation":  # pyHanko's words: no template, marked detail
        assert rule_for(plain) is None
    assert to_vietnamese(plain) == vietnamese


def test_every_code_has_an_example():
    assert {message.code for message, _, _ in EXAMPLES} == set(CATALOG)


def test_every_vietnamese_template_is_vietnamese():
    for code, template in CATALOG.items():  # written with diacritics, not in English
        assert any(ord(ch) > 127 for ch in template.vietnamese), code
        assert template.vietnamese != template.english, code
        names = {name for _, name, _, _ in string.Formatter().parse(template.english) if name}
        assert names == {name for _, name, _, _ in string.Formatter().parse(template.vietnamese)
                         if name}, code  # the Vietnamese loses no fact


def test_every_label_of_the_text_and_html_reports_has_vietnamese():
    from signkit.report.text_report import WORDS

    for key, (english, vietnamese) in WORDS.items():
        assert vietnamese != english and any(ord(ch) > 127 for ch in vietnamese), key
        fields = sorted(name for _, name, _, _ in string.Formatter().parse(english) if name)
        assert fields == sorted(name for _, name, _, _ in string.Formatter().parse(vietnamese)
                                if name), key


def test_every_plain_text_rule_is_reached_by_its_own_example():
    """A rule shadowed by an earlier, wider one would translate plain text wrongly."""
    for message, english, _ in EXAMPLES:
        rule = rule_for(english)
        if rule is not None and message.code != rule.code:
            assert rule.translate(english) == message.text("vi"), (message.code, rule.code)
    assert len(RULES) == len(CATALOG) - 1  # all but pyHanko's bare words


def test_times_in_messages_follow_the_readers_zone():
    message = M("trust.revoked_no_poe", when=REVOKED_AT, reason="key_compromise")
    assert "2025-06-01 00:00 UTC" in message  # JSON: UTC
    assert "ngày 2025-06-01 07:00 +07:00" in message.text("vi", ICT)
    assert "revoked on 2025-06-01 07:00 +07:00" in message.text("en", ICT)


def test_an_unknown_message_keeps_its_english_behind_the_technical_prefix():
    pyhanko_words = "Failed to build path for Common Name: Ngô Văn Khoa"
    assert rule_for(pyhanko_words) is None
    assert to_vietnamese(pyhanko_words) == TECHNICAL_DETAIL + pyhanko_words
    # nested: signkit's frame is translated, the unknown inside keeps its English
    assert to_vietnamese("verification could not finish: BrokenProcessPool: gone") == (
        f"không hoàn tất được việc kiểm tra: {TECHNICAL_DETAIL}BrokenProcessPool: gone")


def test_multi_line_detail_is_kept_whole():
    detail = "There are unexplained xrefs in revision 2.\nSome objects were replaced."
    assert M("detail.modified", detail=detail).text("vi").endswith(f"{detail})")
    assert to_vietnamese(f"modified after signing: {detail}") == (
        f"tài liệu đã bị sửa đổi sau khi ký (chi tiết kỹ thuật: {detail})")


# --- the writers -------------------------------------------------------------------------------

def failed_signature(*messages: str, sub=SubIndication.FORMAT_FAILURE) -> SignatureReport:
    return SignatureReport(
        field="Sig1", status=Indication.TOTAL_FAILED, subindication=sub, signer=None,
        signing_time=None, timestamp_time=None, level="CMS", digest_algorithm=None,
        signature_algorithm=None, coverage=None, modifications=None, messages=messages)


WRAPPED = ("the bytes left out of the /ByteRange are not exactly the signature's /Contents "
           "(signature wrapping)")
UNSIGNED = "the document is not signed"
PYHANKO = "Failed to build path for Common Name: X"
BATCH = BatchReport("0.1.0", dt.datetime(2026, 11, 28, tzinfo=UTC), "vn", (
    FileReport("a.pdf", None, Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
               signatures=(failed_signature(WRAPPED, PYHANKO),)),
    FileReport("b.pdf", None, Indication.TOTAL_FAILED, SubIndication.SIGNED_DATA_NOT_FOUND,
               (UNSIGNED,)),
    FileReport("c.pdf", None, Indication.TOTAL_FAILED, SubIndication.REVOKED,
               signatures=(failed_signature(sub=SubIndication.REVOKED),)),
))


class TextOf(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.feed(page)
        self.close()

    def handle_data(self, data):
        self.parts.append(data)


def html_text(page: str) -> str:
    return "".join(TextOf(page).parts)


def test_vietnamese_text_report_translates_reasons_and_details():
    """Plain English strings (a report read back from a store) are translated too."""
    text = render_text(BATCH, lang="vi", verbose=True)
    lines = [line.strip() for line in text.splitlines()]
    assert lines[1] == to_vietnamese(WRAPPED)  # the reason under the verdict
    assert f"- {to_vietnamese(WRAPPED)}" in lines and f"- {TECHNICAL_DETAIL}{PYHANKO}" in lines
    assert "tài liệu chưa được ký số" in lines and "- tài liệu chưa được ký số" in lines
    assert "REVOKED" in lines  # an ETSI name is not a message: never prefixed
    assert WRAPPED not in text and UNSIGNED not in text


def test_vietnamese_html_report_translates_reasons_and_messages():
    text = html_text(render_html(BATCH, lang="vi"))
    assert f"Lý do: {to_vietnamese(WRAPPED)}" in text
    assert f"{TECHNICAL_DETAIL}{PYHANKO}" in text and "tài liệu chưa được ký số" in text
    assert "Lý do: REVOKED" in text
    assert WRAPPED not in text and UNSIGNED not in text


def test_english_reports_and_machine_formats_keep_the_english_messages():
    for english in (render_text(BATCH, verbose=True), html_text(render_html(BATCH)),
                    render_json(BATCH), render_csv(BATCH)):
        assert WRAPPED in english and UNSIGNED in english
        assert "chữ ký" not in english and TECHNICAL_DETAIL not in english
    assert json.loads(render_json(BATCH))["files"][1]["messages"] == [UNSIGNED]


# --- every message real verification produces -------------------------------------------------

AFTER_EXPIRY = dt.datetime(2037, 1, 1, tzinfo=UTC)  # signer-g2 expires 2036-01-01
AFTER_REVOCATION = dt.datetime(2031, 1, 1, tzinfo=UTC)  # signer-g2-revoked-later: 2030-01-01


@pytest.fixture(scope="module")
def long_term_reports(tmp_path_factory) -> list[FileReport]:
    """Long-term verdicts (issue #4): proofs of existence, timestamps that do not verify,
    offline gaps; documents signed against a clocked copy of the test PKI."""
    folder = tmp_path_factory.mktemp("vi-ltv")
    live = ClockedPki(folder)
    try:
        lt = live.sign("signer-g2", "B-LT", folder / "lt.pdf")
        lta = live.sign("signer-g2", "B-LTA", folder / "lta.pdf")
        later = live.sign("signer-g2-revoked-later", "B-T", folder / "later.pdf")
        alone = live.sign("signer-g2", "B-T", folder / "alone.pdf", with_chain=False)
        bad_sig_ts = flip_token_signature(later, folder / "bad-sig-ts.pdf",
                                          document_timestamp=False)
        bad_doc_ts = flip_token_signature(lta, folder / "bad-doc-ts.pdf",
                                          document_timestamp=True)
        live.clock = AFTER_REVOCATION
        try:
            revoked_before = live.sign("signer-g2-revoked-later", "B-T", folder / "rb.pdf")
        finally:
            live.clock = None
        crls = live.crl_files(AFTER_REVOCATION)
        trust = {"trust": (live.pem("root"),)}
        after_expiry = VerifyOptions(at=AFTER_EXPIRY, offline=True, **trust)
        after_revocation = VerifyOptions(at=AFTER_REVOCATION, offline=True, crls=crls, **trust)
        runs = [(lta, after_expiry), (lt, after_expiry), (later, after_revocation),
                (revoked_before, after_revocation), (bad_sig_ts, VerifyOptions(**trust)),
                (bad_doc_ts, VerifyOptions(**trust)),
                (alone, VerifyOptions(offline=True, **trust))]
        return [signkit.verify_pdf(path, options=opts) for path, opts in runs]
    finally:
        live.close()


@pytest.fixture(scope="module")
def real_reports(docs, options, long_term_reports, tmp_path_factory) -> list[FileReport]:  # noqa: F811
    """signkit's verdict in every case test_verify checks, the long-term ones, a missing file."""
    reports = [signkit.verify_pdf(docs[case.values[0]], options=options[case.values[1]])
               for case in CASES]
    missing = tmp_path_factory.mktemp("vi-missing") / "gone.pdf"
    return [*reports, *long_term_reports,
            signkit.verify_pdf(missing, options=VerifyOptions(offline=True))]


def messages_of(reports: list[FileReport]) -> list[str]:
    found = [m for r in reports for m in (*r.messages, *(m for s in r.signatures
                                                           for m in s.messages))]
    return list(dict.fromkeys(found))


def test_real_verification_covers_the_kinds_of_message(real_reports):
    """The documents reach half the codes and more (the rest need bombs, crashed workers or
    hanging servers; the examples above test those): the tests below judge real output."""
    reached = {m.code for m in messages_of(real_reports) if isinstance(m, Message)}
    assert len(reached) >= 35, sorted(reached)


def test_every_message_of_real_verification_comes_from_a_code(real_reports):
    """A message written as a plain English string would have no Vietnamese: it fails here."""
    plain = [m for m in messages_of(real_reports) if not isinstance(m, Message)]
    assert not plain, "messages without a code (so without Vietnamese):\n" + "\n".join(plain)
    for message in messages_of(real_reports):
        vietnamese = message.text("vi")
        assert vietnamese != str(message), message
        if not message.technical:
            assert not vietnamese.startswith(TECHNICAL_DETAIL), message


def test_real_reports_in_vietnamese_carry_no_english_message_of_signkit(real_reports):
    batch = BatchReport("0.1.0", dt.datetime.now(UTC), "default", tuple(real_reports))
    text = render_text(batch, lang="vi", verbose=True)
    page = html_text(render_html(batch, lang="vi"))
    for message in messages_of(real_reports):
        for line in message.text("vi").split("\n"):
            assert printable(line) in text and printable(line) in page, message
        if not message.technical and "\n" not in message:
            assert printable(message) not in text and printable(message) not in page, message


# --- an incremental-update attack, as a clerk and an auditor read it -----------------------------

@pytest.fixture(scope="module")
def isa_report(docs, options) -> FileReport:  # noqa: F811
    return signkit.verify_pdf(docs["isa-new-content"], options=options["trusted"])


def test_the_clerk_reads_what_changed_in_plain_words(isa_report):
    batch = BatchReport("0.1.0", dt.datetime(2026, 11, 28, tzinfo=UTC), "vn", (isa_report,))
    english, vietnamese = render_text(batch), render_text(batch, lang="vi")
    assert english.splitlines()[1] == "  page 1's content was changed after the signature"
    assert vietnamese.splitlines()[1] == "  nội dung trang 1 đã bị thay đổi sau khi ký"
    for text in (english, vietnamese, html_text(render_html(batch, lang="vi"))[:2000]):
        assert "unexplained xrefs" not in text and "Reference(idnum" not in text
    assert "\\u000a" not in english + vietnamese


def test_the_technical_detail_goes_to_verbose_and_json_with_real_line_breaks(isa_report):
    batch = BatchReport("0.1.0", dt.datetime(2026, 11, 28, tzinfo=UTC), "vn", (isa_report,))
    verbose = render_text(batch, verbose=True)
    assert "There are unexplained xrefs in revision 2" in verbose
    assert "\\u000a" not in verbose
    detail = next(line for line in verbose.splitlines() if "unexplained xrefs" in line)
    following = verbose.splitlines()[verbose.splitlines().index(detail) + 1]
    # indented under its message, never where a file's verdict line starts
    assert following.startswith("          Some objects from revision 1 were replaced")
    (signature,) = json.loads(render_json(batch))["files"][0]["signatures"]
    assert signature["messages"][0] == "page 1's content was changed after the signature"
    assert "\nSome objects from revision 1" in signature["messages"][1]  # a real line break
    assert "<br>Some objects from revision 1" in render_html(batch)


def test_a_report_read_back_from_the_store_is_shown_as_the_original(isa_report):
    """The audit store keeps the JSON entry (plain text, no codes): the codes are found again
    from the catalog, so the reports from the store are the verify reports, byte for byte."""
    from signkit.audit._codec import file_entry, report_from_entry

    stored = report_from_entry(json.loads(json.dumps(file_entry(isa_report))))
    assert not any(isinstance(m, Message) for m in stored.signatures[0].messages)
    for lang in ("en", "vi"):
        original, again = (BatchReport("0.1.0", dt.datetime(2026, 11, 28, tzinfo=UTC), "vn",
                                        (report,)) for report in (isa_report, stored))
        assert render_text(again, lang=lang, verbose=True) == \
            render_text(original, lang=lang, verbose=True)
        assert render_html(again, lang=lang) == render_html(original, lang=lang)


PLAIN_WORDS = {
    "isa-new-content": "page 1's content was changed after the signature",
    "isa-root-swap": "the document's pages were replaced after the signature",
    "shadow-hide-and-replace": "page 1's content was changed after the signature",
    "shadow-hide": "page 1's content was changed after the signature",
    "shadow-replace": "page 1's content was changed after the signature",
    "fieldmdp-locked-fill": "the form field «SoVanBan» was changed after the signature",
    "cert1-annotation": "an annotation was added to or changed on page 1 after the signature",
    "cert2-annotation": "an annotation was added to or changed on page 1 after the signature",
    "cert1-signature-field":
        "the signature field «Overlay» was added or changed after the signature",
}


@pytest.mark.parametrize("doc", sorted(PLAIN_WORDS))
def test_what_changed_after_signing_is_said_in_plain_words_first(docs, options, doc):  # noqa: F811
    report = signkit.verify_pdf(docs[doc], options=options["trusted"])
    (signature,) = report.signatures
    assert report.status is Indication.TOTAL_FAILED  # the verdict is pyHanko's, unchanged
    assert signature.messages[0] == PLAIN_WORDS[doc]
    assert any(m.startswith("modified after signing:") for m in signature.messages[1:])
    batch = BatchReport("0.1.0", dt.datetime(2026, 11, 28, tzinfo=UTC), "vn", (report,))
    assert render_text(batch, lang="vi").splitlines()[1] == \
        "  " + signature.messages[0].text("vi")
