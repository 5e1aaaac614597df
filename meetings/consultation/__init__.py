"""Written consultation on screen: the organiser's pages, the member's answer, the result sheet."""
