/* Host test harness of an exported model: runs every test image through model_run(), prints
 * its int8 logits ("image K: v0 v1 ... vN", the same lines the firmware prints), compares them
 * with test_expected (the trainer's reference int8 inference) and prints "OK N images" or the
 * first mismatch. Exit status 0 only when every image matches.
 *   cmake -S . -B build && cmake --build build && ./build/model_host
 */
#include <stdio.h>

#include "model.h"
#include "test_images.h"

int main(void) {
  int8_t logits[MODEL_CLASSES];
  int first_bad_image = -1;
  int first_bad_class = -1;
  int8_t first_bad_value = 0;
  int image;
  int c;

  for (image = 0; image < TEST_IMAGE_COUNT; ++image) {
    const pn_status s = model_run(test_images[image], logits);
    if (s != PN_OK) {
      printf("image %d: model_run failed with status %d\n", image, (int)s);
      return 1;
    }
    printf("image %d:", image);
    for (c = 0; c < MODEL_CLASSES; ++c) printf(" %d", (int)logits[c]);
    printf("\n");
    for (c = 0; c < MODEL_CLASSES && first_bad_image < 0; ++c) {
      if (logits[c] != test_expected[image][c]) {
        first_bad_image = image;
        first_bad_class = c;
        first_bad_value = logits[c];
      }
    }
  }
  if (first_bad_image >= 0) {
    printf("MISMATCH image %d class %d: got %d expected %d\n", first_bad_image, first_bad_class,
           (int)first_bad_value, (int)test_expected[first_bad_image][first_bad_class]);
    return 1;
  }
  printf("OK %d images\n", TEST_IMAGE_COUNT);
  return 0;
}
