#!/usr/bin/env python3
"""VRRP integration tests in network namespaces: tandemd against itself and against keepalived.

Usage: vrrp_tests.py PATH/TO/tandemd   (as root; vrrp.sh checks the prerequisites first)
Environment: TANDEM_INTEG_DUT=keepalived runs the tandemd cases against keepalived (harness validation);
TANDEM_INTEG_ONLY=substring selects cases; TANDEM_INTEG_KEEP=dir keeps configs, logs and captures;
TANDEM_INTEG_TOLERANCE_MS (default 5) bounds the takeover timing error asserted for tandemd.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runner  # noqa: E402
import cases_pair  # noqa: E402,F401  (each module registers its cases on import)
import cases_security  # noqa: E402,F401
import cases_tracking  # noqa: E402,F401
import cases_interop  # noqa: E402,F401
import cases_reload  # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(runner.main([cases_pair, cases_security, cases_tracking, cases_interop, cases_reload]))
