"""What arrives: upload checks (``checks``), PDFs with active content (``active_content``),
office files converted by LibreOffice under a watchdog (``conversion``, ``soffice_guard``) and the
upload handler that keeps large files in unnamed temporary files (``handlers``)."""
