"""PAdES: signing a PDF with pyHanko (``sign``), what a signature looks like on the page
(``appearances``), the certificate checks before any signature (``certcheck``), the parsed-key
signer (``keys``), external (interrupted) signing (``external``) and the trust roots
(``trust``). No requests, no key backends: those build on this package, never the reverse."""
