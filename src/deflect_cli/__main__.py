from deflect_cli.cli import main

main()
