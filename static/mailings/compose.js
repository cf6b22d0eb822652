// "Individuele ouder een mail sturen": select all or none per group, and a search field.
// Without JavaScript the tools stay hidden and every checkbox works as before.
document.addEventListener("DOMContentLoaded", () => {
  const picker = document.querySelector("[data-recipient-picker]");
  if (!picker) {
    return;
  }
  const search = picker.querySelector("[data-recipient-search]");
  const count = picker.querySelector("[data-recipient-count]");
  const boxes = () => picker.querySelectorAll("input[name=parent]:not(:disabled)");
  const showCount = () => {
    const chosen = Array.from(boxes()).filter((box) => box.checked).length;
    count.textContent = chosen === 1 ? "1 ouder gekozen" : `${chosen} ouders gekozen`;
  };
  picker.querySelectorAll("[hidden]").forEach((tool) => tool.removeAttribute("hidden"));
  picker.querySelectorAll("[data-recipient-section]").forEach((section) => {
    section.querySelectorAll("[data-select]").forEach((button) => {
      button.addEventListener("click", () => {
        const on = button.dataset.select === "all";
        section.querySelectorAll("[data-recipient]").forEach((row) => {
          const box = row.querySelector("input");
          if (!box.disabled && !row.hidden) {
            box.checked = on;
          }
        });
        showCount();
      });
    });
  });
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().trim();
    picker.querySelectorAll("[data-recipient]").forEach((row) => {
      row.hidden = words !== "" && !row.textContent.toLowerCase().includes(words);
    });
  });
  picker.addEventListener("change", showCount);
  showCount();
});

// Attachments: refuse a wrong type, an empty or a too large file as soon as it is chosen,
// name each refused file with its reason, and keep the accepted ones in the picker. The
// server checks everything again (also the content) and names every file it refuses.
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("mailing-attachments");
  const list = document.getElementById("mailing-attachments-check");
  if (!input || !list || typeof DataTransfer === "undefined") {
    return;
  }
  const allowed = new Set(input.dataset.allowed.split(" "));
  const maxFile = Number(input.dataset.maxFile);
  const megabytes = (size) => `${(size / 1048576).toFixed(1).replace(".", ",")} MB`;
  input.addEventListener("change", () => {
    const kept = new DataTransfer();
    list.replaceChildren();
    Array.from(input.files).forEach((file) => {
      const dot = file.name.lastIndexOf(".");
      const ext = dot > 0 ? file.name.slice(dot + 1).toLowerCase() : "";
      let reason = "";
      if (!allowed.has(ext)) {
        reason = "dit bestandstype is niet toegestaan";
      } else if (file.size === 0) {
        reason = "het bestand is leeg";
      } else if (file.size > maxFile) {
        reason = `te groot (${megabytes(file.size)}; maximaal ${megabytes(maxFile)})`;
      }
      if (reason) {
        const item = document.createElement("li");
        item.textContent = `“${file.name}” wordt niet meegestuurd: ${reason}.`;
        list.appendChild(item);
      } else {
        kept.items.add(file);
      }
    });
    if (list.children.length) {
      input.files = kept.files;
    }
  });
});
