"""Work records (hồ sơ công việc): their screens (``views``); the services are in
``documents.services``."""
