from satuatap.cli import main

main()
