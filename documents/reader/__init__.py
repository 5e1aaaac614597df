"""Reading on tablets: range downloads (``http``), the reading copy packed for range requests
(``reading``) and the reader's private notes (``notes``)."""
