/* Insights pages: draws a bar chart into each <canvas data-chart="key"> from the page's JSON
   (#insights-charts: key → {labels, values}). The table below each chart holds the same
   numbers, so the page reads without this script. Chart.js is vendored (openpo/vendor). */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("insights-charts");
    if (!source || !window.Chart) { return; }
    var charts = JSON.parse(source.textContent);
    var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#0b7a53";
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = charts[canvas.getAttribute("data-chart")];
      if (!data) { return; }
      new window.Chart(canvas, {
        type: "bar",
        data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: accent, borderRadius: 2 }] },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: {
            x: { grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0 } },
            y: { beginAtZero: true, ticks: { precision: 0 } }
          }
        }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
