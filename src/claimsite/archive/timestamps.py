"""Trusted timestamps (RFC 3161) on each `sources archive` run, and their verification.

After a run, `<store>/_runs/<run>/manifest.txt` names what the run produced: the SHA-256 of each
`record.json` it wrote and the custody log's last line (its `seq` and SHA-256) after the run. The
manifest's SHA-256 is sent to every configured time-stamping authority (TSA); each answer is kept
beside it as `<n>-<host>.tsr` (the DER `TimeStampResp`), listed in `timestamps.json`, and the run's
`timestamp` line in the custody log names the manifest's hash. A TSA's token proves the manifest, and
through it the records and the log up to that line, existed no later than the time it signed.

`verify` checks every token: its message imprint is the manifest's SHA-256 as it is now, and its
signature verifies against the certificate chain configured for that TSA (`rfc3161-client`, Trail
of Bits). Authorities are configured in mkdocs.yml (plugin option `timestamp_authorities`: a list of
`{url, chain}`, `chain` a PEM file with the TSA certificate and its CA, relative to mkdocs.yml) or
with `--tsa URL[=CHAIN.pem]`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from claimsite import __version__
from claimsite.custody import LOG_NAME, append, line_hash, read_lines
from claimsite.errors import ClaimsiteError

RUNS = "_runs"
"""Where the run manifests go in the store: a name no claim id can take (ids are kebab-case)."""
MANIFEST = "manifest.txt"
TOKENS = "timestamps.json"
MANIFEST_FORMAT = "claimsite-run-manifest/1"
USER_AGENT = f"claimsite/{__version__} (sources archive; RFC 3161 timestamps)"


@dataclass(frozen=True)
class Authority:
    """A time-stamping authority: where to ask, and the PEM chain its tokens verify against."""

    url: str
    chain: Path | None = None

    @property
    def name(self) -> str:
        return (urlsplit(self.url).hostname or "tsa").replace(".", "-")


def parse_authorities(options: Sequence[str], configured: Any, base: Path) -> list[Authority]:
    """The authorities: `--tsa URL[=CHAIN]` options when given, else the plugin option
    `timestamp_authorities` (a list of `{url, chain}` or of URLs; chains relative to `base`)."""
    if options:
        out = []
        for option in options:
            url, _, chain = option.partition("=")
            out.append(Authority(url, Path(chain) if chain else None))
        return out
    if configured is None:
        return []
    if not isinstance(configured, list):
        raise ClaimsiteError("timestamp_authorities in mkdocs.yml must be a list of {url, chain}")
    out = []
    for number, item in enumerate(configured):
        if isinstance(item, str):
            out.append(Authority(item))
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            pem = item.get("chain")
            out.append(Authority(item["url"], base / pem if isinstance(pem, str) and pem else None))
        else:
            raise ClaimsiteError(f"timestamp_authorities[{number}] in mkdocs.yml must be a URL or {{url, chain}}")
    return out


def write_manifest(store: Path, run: str, kind: str, records: Sequence[tuple[str, str]]) -> Path:
    """`_runs/<run>/manifest.txt`: the run, the custody log's last line, and each record's SHA-256
    and path (relative to the store)."""
    lines = read_lines(store / LOG_NAME)
    head = lines[-1] if lines else None
    seq = head.entry.get("seq") if head is not None and head.entry is not None else 0
    text = [MANIFEST_FORMAT, f"run {run} {kind}"]
    text.append(f"custody {seq} {line_hash(head.raw) if head is not None else '-'}")
    text += [f"record {digest} {path}" for digest, path in sorted(records, key=lambda r: r[1])]
    folder = store / RUNS / run
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MANIFEST
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def request_token(authority: Authority, data: bytes, timeout: float = 30.0) -> bytes:
    """Ask one TSA to stamp the SHA-256 of `data`; the DER response, checked to stamp that hash."""
    query = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).cert_request(cert_request=True)
    request = urllib.request.Request(
        authority.url,
        data=query.build().as_bytes(),
        headers={"Content-Type": "application/timestamp-query", "User-Agent": USER_AGENT},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: bytes = response.read()
    except urllib.error.HTTPError as error:
        raise ClaimsiteError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise ClaimsiteError(f"no answer ({getattr(error, 'reason', error)})") from None
    try:
        token = decode_timestamp_response(answer)
    except ValueError:
        raise ClaimsiteError("the answer is not a TimeStampResp") from None
    if PKIStatus(token.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise ClaimsiteError(f"refused (PKIStatus {token.status}: {' '.join(token.status_string)})")
    if token.tst_info.message_imprint.message != hashlib.sha256(data).digest():
        raise ClaimsiteError("the token stamps another hash than the one sent")
    return answer


@dataclass
class Stamped:
    manifest: Path
    sha256: str
    tokens: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def stamp_run(store: Path, manifest: Path, authorities: Sequence[Authority]) -> Stamped:
    """Have the manifest stamped by every authority; keep each token beside it, note each failure,
    and enter the run's timestamps in the custody log. Failures never fail the run."""
    data = manifest.read_bytes()
    result = Stamped(manifest, hashlib.sha256(data).hexdigest())
    if not authorities:
        result.notes.append(
            "timestamps: none requested (no time-stamping authority configured: plugin option "
            "timestamp_authorities or --tsa URL)"
        )
        return result
    for number, authority in enumerate(authorities, start=1):
        try:
            answer = request_token(authority, data)
        except ClaimsiteError as error:
            result.notes.append(f"timestamps: {authority.url}: {error}")
            continue
        name = f"{number}-{authority.name}.tsr"
        (manifest.parent / name).write_bytes(answer)
        gen_time = decode_timestamp_response(answer).tst_info.gen_time
        result.tokens.append({"tsa": authority.url, "file": name, "time": gen_time.isoformat()})
    listing = {"manifest": MANIFEST, "manifest_sha256": result.sha256, "tokens": result.tokens}
    (manifest.parent / TOKENS).write_text(json.dumps(listing, indent=1) + "\n", encoding="utf-8")
    if len(result.tokens) < 2:
        result.notes.append(f"timestamps: {len(result.tokens)} of {len(authorities)} authorities answered (2 wanted)")
    else:
        result.notes.append(
            f"timestamps: {len(result.tokens)} tokens on {manifest.as_posix()} (sha256:{result.sha256})"
        )
    append(
        store / LOG_NAME,
        "timestamp",
        manifest=manifest.relative_to(store).as_posix(),
        manifest_sha256=result.sha256,
        tokens=[f"{t['tsa']} {t['time']}" for t in result.tokens],
    )
    return result


def _chain(path: Path) -> tuple[x509.Certificate | None, list[x509.Certificate], list[x509.Certificate]]:
    """A PEM chain as (TSA certificate, intermediates, roots): self-signed ones are roots, the
    certificate allowed to stamp time is the TSA's."""
    certificates = x509.load_pem_x509_certificates(path.read_bytes())
    roots = [c for c in certificates if c.issuer == c.subject]
    others = [c for c in certificates if c.issuer != c.subject]

    def stamps(cert: x509.Certificate) -> bool:
        try:
            usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            return False
        return ExtendedKeyUsageOID.TIME_STAMPING in usage

    leaf = next((c for c in others if stamps(c)), None)
    return leaf, [c for c in others if c is not leaf], roots


def check_token(token: TimeStampResponse, manifest_hash: bytes, chain: Path) -> None:
    """Raise VerificationError unless the token's signature verifies against `chain` and it stamps
    `manifest_hash`."""
    leaf, intermediates, roots = _chain(chain)
    builder = VerifierBuilder()
    if leaf is not None:
        builder = builder.tsa_certificate(leaf)
    for cert in intermediates:
        builder = builder.add_intermediate_certificate(cert)
    for cert in roots:
        builder = builder.add_root_certificate(cert)
    builder.build().verify(token, manifest_hash)


def _record_problems(store: Path, manifest_text: str) -> list[str]:
    problems = []
    lines = read_lines(store / LOG_NAME)
    for line in manifest_text.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "record":
            digest, _, path = rest.partition(" ")
            file = store / path
            if not file.is_file() or hashlib.sha256(file.read_bytes()).hexdigest() != digest:
                problems.append(f"{path} is not the record the manifest names")
        elif kind == "custody":
            seq_text, _, digest = rest.partition(" ")
            seq = int(seq_text) if seq_text.isdigit() else -1
            at = next((x for x in lines if x.entry is not None and x.entry.get("seq") == seq), None)
            if digest != "-" and (at is None or line_hash(at.raw) != digest):
                problems.append(f"custody line {seq} is not the one the manifest names")
    return problems


def verify_runs(store: Path, authorities: Sequence[Authority]) -> list[tuple[bool, str]]:
    """One line per stamped run (and per token that does not hold): whether its tokens hold."""
    chains = {a.url: a.chain for a in authorities if a.chain is not None}
    out: list[tuple[bool, str]] = []
    for listing_path in sorted((store / RUNS).glob(f"*/{TOKENS}")):
        folder = listing_path.parent
        where = f"{folder.relative_to(store).as_posix()}/{MANIFEST}"
        try:
            listing = json.loads(listing_path.read_text(encoding="utf-8"))
            stamped = str(listing["manifest_sha256"])
            tokens = list(listing["tokens"])
            manifest = (folder / MANIFEST).read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            out.append((False, f"{where}: does not hold: {TOKENS} or the manifest cannot be read"))
            continue
        now = hashlib.sha256(manifest).hexdigest()
        if now != stamped:
            out.append(
                (False, f"{where}: does not hold: the manifest changed after it was stamped (sha256:{now[:12]}…)")
            )
            continue
        problems = _record_problems(store, manifest.decode("utf-8", "replace"))
        held = 0
        for token_entry in tokens:
            name, tsa = str(token_entry.get("file")), str(token_entry.get("tsa"))
            try:
                token = decode_timestamp_response((folder / name).read_bytes())
            except (OSError, ValueError):
                problems.append(f"{name} is missing or not a TimeStampResp")
                continue
            imprint = token.tst_info.message_imprint.message.hex()
            if imprint != now:
                problems.append(f"{name} stamps another hash (sha256:{imprint[:12]}…), not this manifest's")
                continue
            chain = chains.get(tsa)
            if chain is None:
                problems.append(f"{name}: no certificate chain configured for {tsa}, so its signature is not checked")
                continue
            try:
                check_token(token, bytes.fromhex(now), chain)
            except (VerificationError, ValueError, OSError) as error:
                problems.append(f"{name}: the signature does not verify against {chain.name} ({error})")
                continue
            held += 1
        if problems:
            out.append((False, f"{where}: does not hold: " + "; ".join(problems)))
        else:
            when = ", ".join(str(t.get("time")) for t in tokens)
            out.append((True, f"{where}: holds: {held} timestamp{'s' if held != 1 else ''} ({when})"))
    return out


def run_name(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
