print("amqp")
