from tinycrm.cli.app import main

main()
