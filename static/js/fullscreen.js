// Full-screen mode for the officials' tablets and the room screen (Fullscreen API). The button
// stays hidden where the browser offers no such mode (Safari on an iPhone), so nothing is shown
// that cannot work.
export function fullscreenSetup(button, labelNode) {
  if (!button || !document.fullscreenEnabled) return;
  button.hidden = false;
  const sync = () => {
    const on = Boolean(document.fullscreenElement);
    button.setAttribute("aria-pressed", String(on));
    if (labelNode) labelNode.textContent = on ? gettext("Thoát toàn màn hình") : gettext("Toàn màn hình");
  };
  button.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen().catch(() => sync());
  });
  document.addEventListener("fullscreenchange", sync);
  sync();
}
