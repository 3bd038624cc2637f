module.exports = function get(url) { return fetch(url); };
