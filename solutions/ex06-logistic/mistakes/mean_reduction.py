# fails: train_course_data, train_random

criterion = nn.BCELoss()
