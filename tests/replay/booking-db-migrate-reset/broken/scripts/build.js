// Copies the service sources into build/; the service is plain JavaScript.
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
fs.rmSync(path.join(root, "build"), { recursive: true, force: true });
fs.cpSync(path.join(root, "src"), path.join(root, "build"), { recursive: true });
console.log("build: copied src/ to build/");
