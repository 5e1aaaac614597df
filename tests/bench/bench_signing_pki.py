"""Shared setup for the signing benchmarks (not a benchmark itself).

A fresh test PKI is created for a free loopback port in the benchmark's private folder, and
its TSA/OCSP/CRL are served by ``manage.py pki_serve`` in a separate process, as in
development: the TSA's own work then does not compete with the signer for one GIL, and the
baseline and our code talk to the same server in the same run.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import ROOT, django_ready, free_port, private_environment

PASSPHRASE = "Mật-khẩu bench 2026"


def one_page_pdf(label: str = "") -> bytes:
    """A one-page A4 PDF with a little text, different per *label* so no two are identical."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 72 770 Td (Van ban so {label}) Tj ET".encode())
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class BenchPki:
    """The PKI directory, its base URL, and the server process (stop() when done).

    ``remote_tsa_delay`` > 0 serves the TSA as a model of a remote one: its key parsed once
    (certomancer re-parses it for every token, ~50-70 ms of CPU, the SimpleSigner pitfall) and
    every answer held back by that many seconds of network round trip.
    """

    def __init__(self, *, remote_tsa_delay: float = 0.0) -> None:
        env = private_environment()
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.directory = Path(env["KYHOP_VAR_DIR"]) / "pki"
        os.environ.update(
            {
                "KYHOP_PKI_URL": self.base_url,
                "KYHOP_PKI_DIR": str(self.directory),
                "KYHOP_PKI_PASSPHRASE": PASSPHRASE,
                "KYHOP_SIGN_TSA_URL": f"{self.base_url}/kyhop-dev/tsa/tsa",
            }
        )
        django_ready()
        from django.conf import settings

        from signing import devpki

        devpki.pki_create(directory=self.directory, base_url=self.base_url, passphrase=PASSPHRASE)
        self.tsa_url = devpki.service_urls(self.base_url)["tsa"]
        # Django read its settings from the environment once, for the first BenchPki of this
        # process; a second one (the next TSA set-up) must replace them, or signing_services()
        # keeps naming the first PKI's TSA, stopped by then: every bulk signature then failed
        # with "Không lấy được dấu thời gian" while the baseline, given its URL, worked.
        settings.KYHOP_PKI_URL = self.base_url
        settings.KYHOP_PKI_DIR = self.directory
        settings.KYHOP_PKI_PASSPHRASE = PASSPHRASE
        settings.KYHOP_SIGN_TSA_URL = self.tsa_url
        settings.KYHOP_SIGN_TRUST_ROOTS = []
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), str(remote_tsa_delay)],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait(f"{self.base_url}/kyhop-dev/certs/root/ca.crt")

    def _wait(self, url: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1):
                    return
            except OSError:
                time.sleep(0.1)  # a server process starting: polling is the only signal
        self.stop()
        raise RuntimeError("PKI server did not start")

    def signer(self, identity: str = "chutich"):
        from signing.backends.pkcs12 import Pkcs12KeyBackend
        from signing.devpki import PkiLayout

        backend = Pkcs12KeyBackend(PkiLayout(self.directory).identities)
        return backend.signer(identity=identity, passphrase=PASSPHRASE)

    def signer_spec(self, identity: str = "chutich"):
        """The same key as :meth:`signer`, as a picklable recipe for worker processes."""
        from signing.bulk.pool import Pkcs12SignerSpec
        from signing.devpki import PkiLayout

        data = (PkiLayout(self.directory).identities / f"{identity}.p12").read_bytes()
        return Pkcs12SignerSpec(identity=identity, data=data, passphrase=PASSPHRASE)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def serve(port: int, delay: float) -> None:
    """The PKI server process: ``pki_serve``'s app, optionally modelling a remote TSA."""
    import django
    from werkzeug.serving import run_simple

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings

    from signing.devpki import animator

    app: Callable[[dict[str, Any], Any], Any] = animator(settings.KYHOP_PKI_DIR)
    if delay > 0:
        import functools

        from cryptography.hazmat.primitives import serialization

        # certomancer calls this for every token; the key never changes while serving.
        # The cache stands in for the function it wraps: same arguments, same answers.
        serialization.load_der_private_key = functools.lru_cache(maxsize=16)(  # type: ignore[assignment]
            serialization.load_der_private_key
        )
        inner = app

        def delayed(environ, start_response):
            response = inner(environ, start_response)
            if environ["PATH_INFO"].endswith("/tsa/tsa"):
                time.sleep(delay)  # the network round trip of a remote TSA (threaded server)
            return response

        app = delayed

    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    serve(int(sys.argv[2]), float(sys.argv[3]))
