"""Python loads this at start-up when a test puts this folder on PYTHONPATH (tests/batch_faults.py):
MA_TEST_FAULTY_BATCH, a JSON object {table: SET clause}, corrupts each run's lake batch."""

import json
import os
import sys
from pathlib import Path

if os.environ.get("MA_TEST_FAULTY_BATCH"):
    sys.path.insert(0, str(Path(__file__).parents[1]))
    import batch_faults

    batch_faults.install(json.loads(os.environ["MA_TEST_FAULTY_BATCH"]))
