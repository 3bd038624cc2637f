module.exports = { apps: [{ name: "status-page", script: "src/server.js" }] };
