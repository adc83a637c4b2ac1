// A 28x28 drawing pad (shown 6x): strokes of ink in [0, 1], sent as 784 comma-separated pixels.
(function () {
  const canvas = document.getElementById("draw");
  if (!canvas) return;
  const ctx = canvas.getContext("2d");
  const scale = canvas.width / 28;
  const ink = new Float32Array(784);
  let down = false;
  function paint() {
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (let i = 0; i < 784; i++) {
      if (ink[i] > 0) { const v = Math.round(255 * (1 - ink[i])); ctx.fillStyle = `rgb(${v},${v},${v})`;
        ctx.fillRect((i % 28) * scale, Math.floor(i / 28) * scale, scale, scale); }
    }
  }
  function stroke(e) {
    const r = canvas.getBoundingClientRect();
    const x = (e.clientX - r.left) / scale, y = (e.clientY - r.top) / scale;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const px = Math.floor(x + dx), py = Math.floor(y + dy);
      if (px < 0 || py < 0 || px > 27 || py > 27) continue;
      const d = Math.hypot(px + 0.5 - x, py + 0.5 - y);
      ink[py * 28 + px] = Math.min(1, Math.max(ink[py * 28 + px], 1.2 - d / 1.3));
    }
    paint();
  }
  canvas.addEventListener("pointerdown", (e) => { down = true; stroke(e); });
  canvas.addEventListener("pointermove", (e) => { if (down) stroke(e); });
  window.addEventListener("pointerup", () => { down = false; });
  document.getElementById("clear").addEventListener("click", () => { ink.fill(0); paint(); });
  document.getElementById("try-drawn").addEventListener("click", () => {
    const pixels = document.getElementById("pixels");
    pixels.value = Array.from(ink, (v) => v.toFixed(3)).join(",");
    htmx.trigger("#try-form", "submit");
    setTimeout(() => { pixels.value = ""; }, 0);
  });
  paint();
})();
