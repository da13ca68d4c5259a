import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // hls.js (~580 kB) is its own chunk, loaded only when a channel streams HLS.
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { "/api": { target: "http://localhost:3000", ws: true } } },
});
