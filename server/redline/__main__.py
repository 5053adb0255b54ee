"""`python -m redline ...` is the `redline` command.

`python -m` put the working directory first on sys.path (an editor's workspace folder): take it
off before importing anything else, so that a workspace `re.py` or `argparse.py` is not what we
import. What Python imported before this line (runpy and its dependencies, the `redline`
package) is beyond our reach: `python -P -m redline` or the `redline` script is the safe form.
"""

from redline import safety

safety.drop_cwd_from_path()

from redline.cli import main  # noqa: E402 - only after sys.path is clean

raise SystemExit(main())
