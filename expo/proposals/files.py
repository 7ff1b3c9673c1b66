"""Attachment checks: the type is sniffed from the content, never taken from the name."""

import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat


@dataclass(frozen=True)
class AttachmentType:
    mime: str
    extension: str
    label: str


PDF = AttachmentType("application/pdf", "pdf", "PDF")
PPTX = AttachmentType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
    "PowerPoint",
)
ODP = AttachmentType("application/vnd.oasis.opendocument.presentation", "odp", "OpenDocument")
ALLOWED_LABELS = "PDF, PowerPoint (.pptx) or OpenDocument presentation (.odp)"


def _sniff_zip(upload: UploadedFile) -> AttachmentType | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODP.mime.encode():
                return ODP
            if "[Content_Types].xml" in names and any(n.startswith("ppt/") for n in names):
                return PPTX
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    finally:
        upload.seek(0)
    return None


def sniff_attachment(upload: UploadedFile) -> AttachmentType:
    """Return the attachment's real type, or raise ValidationError with a readable message."""
    limit = settings.EXPO_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError("The attachment is empty.")
    if upload.size > limit:
        raise ValidationError(
            f"The attachment is {filesizeformat(upload.size)}; "
            f"the limit is {filesizeformat(limit)}."
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        found = _sniff_zip(upload)
        if found:
            return found
    raise ValidationError(
        f"“{upload.name}” is not a file type we accept. Please upload a {ALLOWED_LABELS}."
    )


def attachment_storage_name(kind: AttachmentType) -> str:
    """A name of our choosing: the uploaded name may contain anything."""
    return f"{uuid.uuid4().hex}.{kind.extension}"
