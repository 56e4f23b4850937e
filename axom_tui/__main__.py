from axom_tui.cli import main

raise SystemExit(main())
