"""The outgoing register (sổ văn bản đi): numbers per body, document type and year."""
