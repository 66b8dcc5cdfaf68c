{
  "targets": [
    {
      "target_name": "trainyard_kernels",
      "sources": ["src/kernels.cc"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O3"],
      "cflags_cc": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-std=c++17"],
      "libraries": ["-ldl"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"] }
    }
  ]
}
