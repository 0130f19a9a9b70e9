builtins.fetchClosure { fromStore = "file:///tmp"; fromPath = "/nix/store/ya937r4ydw0l6kayq8jkyqaips9c75jm-output"; }
