"""PDF signing on top of pyHanko: levels, fields, atomic output, batches."""

from .batch import BatchOutcome, collect_pdfs, plan_outputs, sign_many
from .document import DocumentSigner, PadesLevel, SignOptions, SignResult, SignStatus, sign_pdf
from .tsa_auth import TsaAuth

__all__ = [
    "BatchOutcome",
    "DocumentSigner",
    "PadesLevel",
    "SignOptions",
    "SignResult",
    "SignStatus",
    "TsaAuth",
    "collect_pdfs",
    "plan_outputs",
    "sign_many",
    "sign_pdf",
]
