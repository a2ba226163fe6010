"""Import of municipal data files: reading, validation, transactional writing with versions."""
