// The creator dashboard's charts, drawn with Chart.js (package.json, `make vendor`) from the data the
// page's tables show (json_script "dashboard-data"). Without the library the tables are the page.

const data = JSON.parse(document.getElementById("dashboard-data").textContent);

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function dayLabel(iso) {
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

function draw(name, config) {
  const figure = document.querySelector(`[data-chart="${name}"]`);
  if (!figure) return;
  const canvas = figure.querySelector("canvas");
  canvas.hidden = false;
  figure.dataset.drawn = "true";
  new window.Chart(canvas, config);
}

function drawCharts() {
  const Chart = window.Chart;
  if (!Chart) {
    // The library did not load: the daily table is the only view of the period's days.
    document.querySelector("details.daily")?.setAttribute("open", "");
    return;
  }
  Chart.defaults.color = css("--muted");
  Chart.defaults.borderColor = css("--line");
  Chart.defaults.font.family = css("--font");
  const series = data.series;
  const labels = series.dates.map(dayLabel);
  const common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    scales: { x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } } },
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
  };
  const line = (label, values, color, axis) => ({
    type: "line", label, data: values, borderColor: color, backgroundColor: color, yAxisID: axis,
    pointRadius: series.dates.length > 31 ? 0 : 2, tension: 0.25,
  });
  const bar = (label, values, color, axis) => ({
    type: "bar", label, data: values, backgroundColor: color, yAxisID: axis, borderRadius: 3,
  });
  const count = { beginAtZero: true, grace: "10%", ticks: { precision: 0 } };
  draw("activity", {
    data: {
      labels,
      datasets: [
        line("Impressions", series.impressions, "#7b61ff", "reach"),
        line("Views", series.views, css("--accent"), "reach"),
        bar("Carts", series.carts, css("--warn"), "sales"),
        bar("Purchases", series.purchases, css("--ok"), "sales"),
      ],
    },
    options: {
      ...common,
      scales: {
        ...common.scales,
        reach: { ...count, position: "left", title: { display: true, text: "Impressions, views" } },
        sales: { ...count, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Carts, purchases" } },
      },
    },
  });
  draw("followers", {
    data: {
      labels,
      datasets: [
        bar("Gained", series.followers_gained, css("--ok"), "change"),
        bar("Lost", series.followers_lost.map((n) => -n), css("--danger"), "change"),
        line("Followers", series.followers, css("--text"), "total"),
      ],
    },
    options: {
      ...common,
      scales: {
        x: { ...common.scales.x, stacked: true },
        change: { stacked: true, grace: "10%", ticks: { precision: 0 }, position: "left", title: { display: true, text: "Per day" } },
        total: { ...count, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Followers" } },
      },
    },
  });
}

drawCharts();
