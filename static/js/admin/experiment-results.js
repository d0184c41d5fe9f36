// The experiment results page's charts (templates/admin/experiments/experiment/results.html), drawn
// with Chart.js (package.json, `make vendor`) from the data its tables show (json_script
// "results-data"). Without the library the tables are the page.

const data = JSON.parse(document.getElementById("results-data").textContent);

function css(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

const COLORS = ["#417690", "#c4652b", "#6b4fbb", "#2f8f5b", "#a23b72"];
const percent = (value) => (value === null || value === undefined ? null : value * 100);

function draw(figure, config) {
  const canvas = figure.querySelector("canvas");
  canvas.hidden = false;
  figure.dataset.drawn = "true";
  new window.Chart(canvas, config);
}

function zeroLine(ctx) {
  return ctx.tick && ctx.tick.value === 0 ? css("--body-fg", "#333") : css("--hairline-color", "#e8e8e8");
}

const common = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
};

// Each metric's lift as a point, its sequential interval as a light bar and its 95 % interval as a
// dark one inside it: a forest plot. Undefined figures (null) are simply not drawn.
function drawForest(figure, read) {
  const labels = read.metrics.map((m) => m.name);
  draw(figure, {
    type: "bar",
    data: {
      labels,
      datasets: [
        {
          label: "Sequential interval",
          data: read.metrics.map((m) => (m.seq_low === null ? null : [percent(m.seq_low), percent(m.seq_high)])),
          backgroundColor: "rgba(65, 118, 144, 0.25)",
          barPercentage: 0.7,
          grouped: false,
        },
        {
          label: "95 % interval",
          data: read.metrics.map((m) => (m.lift_low === null ? null : [percent(m.lift_low), percent(m.lift_high)])),
          backgroundColor: "rgba(65, 118, 144, 0.8)",
          barPercentage: 0.3,
          grouped: false,
        },
        {
          type: "line",
          label: "Lift",
          data: read.metrics.map((m) => percent(m.lift)),
          showLine: false,
          pointRadius: 5,
          pointStyle: "rectRot",
          borderColor: css("--body-fg", "#333"),
          backgroundColor: css("--body-fg", "#333"),
        },
      ],
    },
    options: {
      ...common,
      indexAxis: "y",
      scales: {
        x: { title: { display: true, text: "Lift (%)" }, grid: { color: zeroLine } },
        y: { grid: { display: false } },
      },
      plugins: {
        ...common.plugins,
        tooltip: {
          callbacks: {
            label: (item) => {
              const value = item.raw;
              if (Array.isArray(value)) return `${item.dataset.label}: ${value[0].toFixed(1)} % to ${value[1].toFixed(1)} %`;
              return `${item.dataset.label}: ${value.toFixed(1)} %`;
            },
          },
        },
      },
    },
  });
}

function timeLabel(iso) {
  return new Date(iso).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

function drawExposures(figure, series) {
  draw(figure, {
    type: "line",
    data: {
      labels: series.times.map(timeLabel),
      datasets: Object.entries(series.exposures).map(([name, counts], index) => ({
        label: name,
        data: counts,
        borderColor: COLORS[index % COLORS.length],
        backgroundColor: COLORS[index % COLORS.length],
        pointRadius: series.times.length > 40 ? 0 : 2,
        tension: 0.2,
      })),
    },
    options: {
      ...common,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Exposed shoppers" } } },
    },
  });
}

// Per treatment: the lift as a line, and between the sequential interval's bounds a band (the upper
// bound's dataset fills down to the lower one's).
function drawLift(figure, series) {
  const datasets = [];
  Object.entries(series.lift).forEach(([name, lift], index) => {
    const color = COLORS[(index + 1) % COLORS.length];
    datasets.push(
      { label: `${name}: sequential low`, data: lift.seq_low.map(percent), borderColor: "transparent", pointRadius: 0, fill: false },
      {
        label: `${name}: sequential interval`,
        data: lift.seq_high.map(percent),
        borderColor: "transparent",
        backgroundColor: `${color}33`,
        pointRadius: 0,
        fill: "-1",
      },
      { label: `${name}: lift`, data: lift.lift.map(percent), borderColor: color, backgroundColor: color, pointRadius: 2, tension: 0.2 },
    );
  });
  draw(figure, {
    type: "line",
    data: { labels: series.times.map(timeLabel), datasets },
    options: {
      ...common,
      interaction: { mode: "index", intersect: false },
      spanGaps: false,
      scales: { y: { title: { display: true, text: `Lift of ${series.label.toLowerCase()} (%)` }, grid: { color: zeroLine } } },
      plugins: {
        ...common.plugins,
        legend: { ...common.plugins.legend, labels: { ...common.plugins.legend.labels, filter: (item) => !item.text.endsWith("sequential low") } },
      },
    },
  });
}

function drawCharts() {
  if (!window.Chart) {
    // The library did not load: the snapshot table is the only view of the results over time.
    document.querySelector("details.results-series")?.setAttribute("open", "");
    return;
  }
  window.Chart.defaults.color = css("--body-quiet-color", "#666");
  window.Chart.defaults.borderColor = css("--hairline-color", "#e8e8e8");
  document.querySelectorAll('[data-chart="forest"]').forEach((figure) => {
    const read = data.forest[Number(figure.dataset.index)];
    if (read) drawForest(figure, read);
  });
  const series = data.timeline;
  const exposures = document.querySelector('[data-chart="exposures"]');
  if (exposures && series.times.length) drawExposures(exposures, series);
  const lift = document.querySelector('[data-chart="lift"]');
  if (lift && series.times.length) drawLift(lift, series);
}

drawCharts();
