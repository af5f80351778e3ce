"""RFC 3161 timestamps on each `sources archive` run: two local test authorities on 127.0.0.1 (a
self-signed test CA and a TSA certificate made here, tokens built with asn1crypto and signed with
cryptography), the tokens kept beside the run's manifest, and `sources verify` checking each one."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.server
import itertools
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from test_public import KEYS, FakeSpn, VirtualClock, write_claim
from test_public import serving as spn_serving

from claimsite.cli import main

DAY = dt.timedelta(days=1)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass
class LocalTsa:
    """A CA and the TSA certificate it issued, and the TSA's key."""

    ca: x509.Certificate
    cert: x509.Certificate
    key: rsa.RSAPrivateKey

    @classmethod
    def make(cls, name: str) -> LocalTsa:
        now = dt.datetime.now(dt.UTC)
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca = (
            x509.CertificateBuilder()
            .subject_name(_name(f"{name} test CA"))
            .issuer_name(_name(f"{name} test CA"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - DAY)
            .not_valid_after(now + 30 * DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(f"{name} test TSA"))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - DAY)
            .not_valid_after(now + 30 * DAY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        return cls(ca, cert, key)

    def chain_pem(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.cert, self.ca))

    def respond(self, request_der: bytes, serial: int) -> bytes:
        """A granted TimeStampResp for the request: TSTInfo in CMS SignedData, signed by the TSA."""
        request = tsp.TimeStampReq.load(request_der)
        info = {
            "version": "v1",
            "policy": "1.3.6.1.4.1.99999.1",
            "message_imprint": request["message_imprint"],
            "serial_number": serial,
            "gen_time": dt.datetime.now(dt.UTC).replace(microsecond=0),
            "accuracy": {"seconds": 1},
        }
        if request["nonce"].native is not None:
            info["nonce"] = request["nonce"].native
        tst_info = tsp.TSTInfo(info)
        tst_der = tst_info.dump()
        cert_der = self.cert.public_bytes(serialization.Encoding.DER)
        cert = asn1_x509.Certificate.load(cert_der)
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}),
                cms.CMSAttribute(
                    {
                        "type": "signing_certificate_v2",
                        "values": [{"certs": [{"cert_hash": hashlib.sha256(cert_der).digest()}]}],
                    }
                ),
            ]
        )
        signature = self.key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {"issuer": cert.issuer, "serial_number": cert.serial_number}
                        )
                    }
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}),
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(tst_der)},
                "certificates": [cert],
                "signer_infos": [signer],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        response: bytes = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()
        return response


@contextlib.contextmanager
def tsa_serving(authority: LocalTsa) -> Iterator[str]:
    serials = itertools.count(1)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_response(400)
                self.end_headers()
                return
            answer = authority.respond(body, next(serials))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def authorities() -> tuple[LocalTsa, LocalTsa]:
    return LocalTsa.make("First"), LocalTsa.make("Second")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@dataclass
class Stamped:
    folder: Path
    tsa_options: list[str]
    """`--tsa URL=CHAIN` for each authority, for verify."""
    archive: Result

    @property
    def runs(self) -> list[Path]:
        return sorted((self.folder / ".claimsite" / "captures" / "_runs").iterdir())

    def verify(self, *extra: str) -> Result:
        args = ["sources", "verify", "--no-log"]
        for option in self.tsa_options:
            args += ["--tsa", option]
        return run(*args, *extra)


@pytest.fixture
def stamped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, authorities: tuple[LocalTsa, LocalTsa]
) -> Iterator[Stamped]:
    """Two `--public` runs against the fake SPN2, each stamped by both test authorities."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    write_claim(tmp_path, [{"url": "https://news.example/article"}])
    for number, authority in enumerate(authorities):
        (tmp_path / f"chain-{number}.pem").write_bytes(authority.chain_pem())
    fake = FakeSpn(VirtualClock())
    monkeypatch.setattr("claimsite.archive.public._sleep", fake.clock.sleep)
    monkeypatch.setattr("claimsite.archive.public._now", fake.clock)
    with (
        spn_serving(fake) as spn,
        tsa_serving(authorities[0]) as first,
        tsa_serving(authorities[1]) as second,
    ):
        archive = ["sources", "archive", "--public", "--spn-api", spn, "--tsa", first, "--tsa", second]
        result = run(*archive)
        write_claim(tmp_path, [{"url": "https://news.example/other"}])
        run(*archive)
        yield Stamped(tmp_path, [f"{first}=chain-0.pem", f"{second}=chain-1.pem"], result)


def test_each_run_gets_a_token_from_each_authority(stamped: Stamped) -> None:
    assert stamped.archive.exit_code == 0, stamped.archive.output
    assert "timestamps: 2 tokens on" in stamped.archive.output
    assert len(stamped.runs) == 2
    for folder in stamped.runs:
        assert sorted(p.name for p in folder.iterdir()) == [
            "1-127-0-0-1.tsr",
            "2-127-0-0-1.tsr",
            "manifest.txt",
            "timestamps.json",
        ]
    manifest = (stamped.runs[0] / "manifest.txt").read_text()
    assert manifest.startswith("claimsite-run-manifest/1\nrun ") and "\ncustody 2 " in manifest


def test_verify_says_the_timestamps_hold(stamped: Stamped) -> None:
    result = stamped.verify()
    assert result.exit_code == 0, result.output
    held = [line for line in result.output.splitlines() if "manifest.txt: holds: 2 timestamps" in line]
    assert len(held) == 2
    assert result.output.rstrip().endswith("timestamps of 2 runs hold")


def test_a_manifest_changed_after_stamping_is_caught(stamped: Stamped) -> None:
    manifest = stamped.runs[0] / "manifest.txt"
    manifest.write_text(manifest.read_text().replace("custody 2", "custody 3"))
    result = stamped.verify()
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if "does not hold" in line]
    assert "manifest.txt: does not hold: the manifest changed after it was stamped (sha256:" in line


def test_a_token_of_another_run_is_caught(stamped: Stamped) -> None:
    first, second = stamped.runs
    shutil.copy(second / "1-127-0-0-1.tsr", first / "1-127-0-0-1.tsr")
    result = stamped.verify()
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if "does not hold" in line]
    assert "1-127-0-0-1.tsr stamps another hash (sha256:" in line and "not this manifest's" in line


def test_a_token_is_checked_against_the_configured_chain(
    stamped: Stamped, authorities: tuple[LocalTsa, LocalTsa]
) -> None:
    (stamped.folder / "chain-0.pem").write_bytes(authorities[1].chain_pem())  # the other authority's CA
    result = stamped.verify()
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "does not hold" in line]
    assert len(lines) == 2 and all(
        "1-127-0-0-1.tsr: the signature does not verify against chain-0.pem" in x for x in lines
    )


def test_a_token_without_a_configured_chain_is_not_taken_on_trust(stamped: Stamped) -> None:
    result = run("sources", "verify", "--no-log")
    assert result.exit_code == 1
    assert "no certificate chain configured for http://127.0.0.1:" in result.output


def test_the_authorities_can_come_from_mkdocs_yml(stamped: Stamped, authorities: tuple[LocalTsa, LocalTsa]) -> None:
    urls = [option.split("=")[0] for option in stamped.tsa_options]
    (stamped.folder / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - claimsite:\n      timestamp_authorities:\n"
        f"        - {{url: '{urls[0]}', chain: chain-0.pem}}\n        - {{url: '{urls[1]}', chain: chain-1.pem}}\n"
    )
    result = run("sources", "verify", "--no-log")
    assert result.exit_code == 0, result.output


def test_no_authority_is_one_line_and_the_run_succeeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    write_claim(tmp_path, [{"url": "https://news.example/article"}])
    fake = FakeSpn(VirtualClock())
    monkeypatch.setattr("claimsite.archive.public._sleep", fake.clock.sleep)
    monkeypatch.setattr("claimsite.archive.public._now", fake.clock)
    with spn_serving(fake) as spn:
        result = run("sources", "archive", "--public", "--spn-api", spn)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("timestamps:")]
    assert notes == [
        "timestamps: none requested (no time-stamping authority configured: plugin option "
        "timestamp_authorities or --tsa URL)"
    ]


def test_an_authority_that_does_not_answer_is_noted_and_the_run_succeeds(
    stamped: Stamped, authorities: tuple[LocalTsa, LocalTsa], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeSpn(VirtualClock())
    monkeypatch.setattr("claimsite.archive.public._sleep", fake.clock.sleep)
    monkeypatch.setattr("claimsite.archive.public._now", fake.clock)
    write_claim(stamped.folder, [{"url": "https://news.example/third"}])
    with spn_serving(fake) as spn, tsa_serving(authorities[0]) as first:
        result = run("sources", "archive", "--public", "--spn-api", spn, "--tsa", first, "--tsa", "http://127.0.0.1:9/")
    assert result.exit_code == 0, result.output
    assert "timestamps: http://127.0.0.1:9/: no answer" in result.output
    assert "timestamps: 1 of 2 authorities answered (2 wanted)" in result.output
