const SERVICES = {
  haircut: { title: "Women's haircut", priceCents: 4500, durationMinutes: 60 },
  menscut: { title: "Men's haircut", priceCents: 2800, durationMinutes: 30 },
  coloring: { title: 'Colouring', priceCents: 8900, durationMinutes: 120 },
  beard: { title: 'Beard trim', priceCents: 1500, durationMinutes: 20 },
};

function getService(key) {
  return SERVICES[key] || null;
}

function listServices() {
  return Object.entries(SERVICES).map(([key, service]) => ({ key, ...service }));
}

module.exports = { getService, listServices };
