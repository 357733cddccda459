# The npm package (make js / js-test / demo-browser, mk/js.mk): clang compiles
# ring's C for wasm32 (Debian's clang 14 works); chromium and chromium-driver
# run the browser test headless. Node 20+ with npm comes with the machine
# (Debian 12's nodejs is 18, too old; mk/js.mk says so). The wasm32 target,
# wasm-bindgen-cli and the npm tools are installed by mk/js.mk itself.
packages+=(clang chromium chromium-driver)
