"""The competition service (the contract: GET /status, POST /predict, GET /exit), as the archive ships it.

Everything these modules import from digitkit is bundled into the archive's service.py (package/build.py
follows the imports), so they stay small and run on every Python the archive supports: no syntax or library
call newer than Python 3.7 here or in what they import.
"""
